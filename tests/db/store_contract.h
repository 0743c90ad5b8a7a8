// The db::Store contract suite: one set of TEST_P cases that every Store implementation must pass
// (store.h lists the promises). store_contract_test.cc instantiates it for SQLite (a file in a
// TempDir, and :memory:); postgres/store_contract_postgres_test.cc for a real PostgreSQL server
// named by AVA_PG_URL (scripts/postgres.sh starts one). A new backend gets the whole suite by
// writing a StoreHarness and one INSTANTIATE_TEST_SUITE_P line.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <latch>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/file_util.h"
#include "db/migrator.h"
#include "db/schema.h"
#include "db/sql_connection.h"
#include "db/store.h"
#include "db/store_options.h"
#include "db/token_secret.h"
#include "test_util.h"

namespace ava::db::contract {

// Gives each test one database of its own and removes it afterwards.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // Non-empty: why the whole suite is skipped for this backend (e.g. no server configured).
  virtual std::string SkipReason() { return ""; }
  // Opens the test's database (created empty by the first call). Later calls reopen the same
  // database, as a restarted avad would, unless CanReopen() is false.
  virtual Result<std::unique_ptr<Store>> Open(const StoreOptions& options) = 0;
  virtual bool CanReopen() const { return true; }
  // A raw connection to the test's database, for tests that tamper with it behind the store's
  // back. NotSupported where no second connection can see the same data (SQLite :memory:).
  virtual Result<std::unique_ptr<SqlConnection>> Connect() = 0;
  // A connection to a further, empty database of the same kind (for migrator tests).
  virtual Result<std::unique_ptr<SqlConnection>> ConnectEmpty() = 0;
  // The local files that hold the database; empty when it does not live in local files.
  virtual std::vector<std::string> Files() const { return {}; }
  // Ends every server session of the test's database except none: the store's pooled connections
  // die under it. NotSupported for embedded databases.
  virtual Status KillConnections() { return Status::NotSupported("embedded database"); }
};

struct HarnessFactory {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;
};

inline void PrintTo(const HarnessFactory& factory, std::ostream* os) { *os << factory.name; }
inline std::string PrintHarnessName(const ::testing::TestParamInfo<HarnessFactory>& info) {
  return info.param.name;
}

class StoreContractTest : public ::testing::TestWithParam<HarnessFactory> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    std::string skip = harness_->SkipReason();
    if (!skip.empty()) GTEST_SKIP() << skip;
    options_.clock = &clock_;
    Result<std::unique_ptr<Store>> store = harness_->Open(options_);
    ASSERT_OK(store);
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    harness_.reset();
  }

  Store& store() { return *store_; }
  Nanos now() const { return clock_.WallNow(); }

  User MakeUser(const std::string& name, bool admin = false) {
    Result<User> u = store_->CreateUser(name, admin);
    EXPECT_OK(u);
    return u.ok() ? *u : User{};
  }
  Group MakeGroup(const std::string& name) {
    Result<Group> g = store_->CreateGroup(name);
    EXPECT_OK(g);
    return g.ok() ? *g : Group{};
  }
  Job MakeJob(int64_t owner, const std::string& name, std::optional<int64_t> group = std::nullopt,
              JobKind kind = JobKind::kJob) {
    NewJob spec{.owner_id = owner,
                .group_id = group,
                .name = name,
                .kind = kind,
                .spec_yaml = "name: " + name + "\ncommand: python train.py\n",
                .gpus = 1};
    Result<Job> j = store_->CreateJob(spec);
    EXPECT_OK(j);
    return j.ok() ? *j : Job{};
  }
  std::vector<Event> JobEvents(int64_t job_id) {
    Result<std::vector<Event>> events = store_->ListEvents({.job_id = job_id}, {.limit = Page::kMaxLimit});
    EXPECT_OK(events);
    return events.ok() ? *events : std::vector<Event>{};
  }
  static std::vector<std::string> Types(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const Event& e : events) out.push_back(e.type);
    return out;
  }

  FakeClock clock_;
  StoreOptions options_;
  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

// ------------------------------------------------------------------------------------------ users

TEST_P(StoreContractTest, UsersCreateGetUpdate) {
  Result<User> alice = store().CreateUser("alice", false);
  ASSERT_OK(alice);
  EXPECT_GT(alice->id, 0);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_FALSE(alice->is_admin);
  EXPECT_EQ(alice->created, now());

  clock_.Advance(std::chrono::seconds(5));
  Result<User> root = store().CreateUser("root", true);
  ASSERT_OK(root);
  EXPECT_TRUE(root->is_admin);
  EXPECT_NE(root->id, alice->id);
  EXPECT_EQ(root->created, now());

  Result<User> by_id = store().GetUser(alice->id);
  ASSERT_OK(by_id);
  EXPECT_EQ(by_id->name, "alice");
  Result<User> by_name = store().GetUserByName("root");
  ASSERT_OK(by_name);
  EXPECT_EQ(by_name->id, root->id);

  ASSERT_OK(store().SetUserAdmin(alice->id, true));
  EXPECT_TRUE(store().GetUser(alice->id)->is_admin);
  ASSERT_OK(store().SetUserAdmin(alice->id, false));
  EXPECT_FALSE(store().GetUser(alice->id)->is_admin);
}

TEST_P(StoreContractTest, UserErrorsNameTheUser) {
  MakeUser("alice");
  Result<User> dup = store().CreateUser("alice", true);
  EXPECT_STATUS(dup, kAlreadyExists);
  EXPECT_NE(dup.status().message().find("alice"), std::string::npos) << dup.status();

  Result<User> missing = store().GetUser(424242);
  EXPECT_STATUS(missing, kNotFound);
  EXPECT_NE(missing.status().message().find("424242"), std::string::npos) << missing.status();
  Result<User> missing_name = store().GetUserByName("bob");
  EXPECT_STATUS(missing_name, kNotFound);
  EXPECT_NE(missing_name.status().message().find("bob"), std::string::npos);
  EXPECT_STATUS(store().SetUserAdmin(424242, true), kNotFound);
  EXPECT_STATUS(store().DeleteUser(424242), kNotFound);
  EXPECT_STATUS(store().CreateUser("", false), kInvalidArgument);
  EXPECT_STATUS(store().CreateUser("tab\there", false), kInvalidArgument);
  EXPECT_STATUS(store().CreateUser(std::string(300, 'x'), false), kInvalidArgument);
}

TEST_P(StoreContractTest, DeleteUserTakesTokensAndMembershipsButNotWhileOwningJobs) {
  User alice = MakeUser("alice");
  User bob = MakeUser("bob");
  Group g = MakeGroup("vision");
  ASSERT_OK(store().AddMember(g.id, alice.id, Role::kMember));
  Result<IssuedToken> token = store().CreateToken(alice.id, "laptop", std::nullopt);
  ASSERT_OK(token);

  ASSERT_OK(store().DeleteUser(alice.id));
  EXPECT_STATUS(store().GetUser(alice.id), kNotFound);
  EXPECT_STATUS(store().FindUserByToken(token->secret), kUnauthenticated);
  EXPECT_TRUE(store().ListMembers(g.id)->empty());
  // A user name can be taken again once its owner is gone, with a new id.
  Result<User> again = store().CreateUser("alice", false);
  ASSERT_OK(again);
  EXPECT_NE(again->id, alice.id);

  MakeJob(bob.id, "train");
  Status s = store().DeleteUser(bob.id);
  EXPECT_STATUS(s, kFailedPrecondition);
  EXPECT_NE(s.message().find("owns jobs"), std::string::npos) << s;
  ASSERT_OK(store().GetUser(bob.id));
}

TEST_P(StoreContractTest, ListsPageByIdWithoutGapsOrOverlap) {
  std::vector<int64_t> created;
  for (int i = 0; i < 25; ++i) created.push_back(MakeUser(fmt::format("user{:02}", i)).id);
  std::vector<int64_t> seen;
  Page page{.after_id = 0, .limit = 10};
  std::vector<size_t> sizes;
  for (;;) {
    Result<std::vector<User>> users = store().ListUsers(page);
    ASSERT_OK(users);
    sizes.push_back(users->size());
    for (const User& u : *users) seen.push_back(u.id);
    if (users->size() < static_cast<size_t>(page.limit)) break;
    page.after_id = users->back().id;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 5}));
  EXPECT_EQ(seen, created);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  EXPECT_STATUS(store().ListUsers({.limit = 0}), kInvalidArgument);
  EXPECT_STATUS(store().ListUsers({.limit = Page::kMaxLimit + 1}), kInvalidArgument);
  EXPECT_STATUS(store().ListUsers({.after_id = -1}), kInvalidArgument);
  Result<std::vector<User>> tail = store().ListUsers({.after_id = created[23], .limit = 100});
  ASSERT_OK(tail);
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ(tail->front().id, created[24]);
}

// ---------------------------------------------------------------------------------------- groups

TEST_P(StoreContractTest, GroupsAndMemberships) {
  User alice = MakeUser("alice");
  User bob = MakeUser("bob");
  Result<Group> vision = store().CreateGroup("vision");
  ASSERT_OK(vision);
  EXPECT_EQ(vision->created, now());
  Group speech = MakeGroup("speech");
  EXPECT_STATUS(store().CreateGroup("vision"), kAlreadyExists);
  EXPECT_STATUS(store().CreateGroup(""), kInvalidArgument);
  EXPECT_EQ(store().GetGroup(vision->id)->name, "vision");
  EXPECT_EQ(store().GetGroupByName("speech")->id, speech.id);
  EXPECT_STATUS(store().GetGroup(9999), kNotFound);
  EXPECT_STATUS(store().GetGroupByName("nlp"), kNotFound);
  Result<std::vector<Group>> groups = store().ListGroups({});
  ASSERT_OK(groups);
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].name, "vision");
  EXPECT_EQ((*groups)[1].name, "speech");
  Result<std::vector<Group>> second = store().ListGroups({.after_id = vision->id, .limit = 1});
  ASSERT_OK(second);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ(second->front().id, speech.id);

  ASSERT_OK(store().AddMember(vision->id, bob.id, Role::kMember));
  ASSERT_OK(store().AddMember(vision->id, alice.id, Role::kAdmin));
  ASSERT_OK(store().AddMember(speech.id, alice.id, Role::kMember));
  Status dup = store().AddMember(vision->id, bob.id, Role::kAdmin);
  EXPECT_STATUS(dup, kAlreadyExists);
  Status no_user = store().AddMember(vision->id, 9999, Role::kMember);
  EXPECT_STATUS(no_user, kNotFound);
  EXPECT_NE(no_user.message().find("user 9999"), std::string::npos) << no_user;
  Status no_group = store().AddMember(9999, bob.id, Role::kMember);
  EXPECT_STATUS(no_group, kNotFound);
  EXPECT_NE(no_group.message().find("group 9999"), std::string::npos) << no_group;

  Result<std::vector<Membership>> members = store().ListMembers(vision->id);
  ASSERT_OK(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].user_id, alice.id);  // ordered by user id
  EXPECT_EQ((*members)[0].role, Role::kAdmin);
  EXPECT_EQ((*members)[1].user_id, bob.id);
  EXPECT_EQ((*members)[1].role, Role::kMember);

  Result<std::vector<Membership>> alices = store().ListUserGroups(alice.id);
  ASSERT_OK(alices);
  ASSERT_EQ(alices->size(), 2u);
  EXPECT_EQ((*alices)[0].group_id, vision->id);
  EXPECT_EQ((*alices)[1].group_id, speech.id);
  EXPECT_STATUS(store().ListUserGroups(9999), kNotFound);
  EXPECT_STATUS(store().ListMembers(9999), kNotFound);

  ASSERT_OK(store().SetMemberRole(vision->id, bob.id, Role::kAdmin));
  EXPECT_EQ(store().ListMembers(vision->id)->at(1).role, Role::kAdmin);
  EXPECT_STATUS(store().SetMemberRole(speech.id, bob.id, Role::kAdmin), kNotFound);
  ASSERT_OK(store().RemoveMember(vision->id, bob.id));
  EXPECT_STATUS(store().RemoveMember(vision->id, bob.id), kNotFound);
  EXPECT_EQ(store().ListMembers(vision->id)->size(), 1u);

  // Deleting a group takes its memberships; its jobs stay, without a group.
  Job job = MakeJob(alice.id, "train", vision->id);
  EXPECT_EQ(job.group_id, vision->id);
  ASSERT_OK(store().DeleteGroup(vision->id));
  EXPECT_STATUS(store().GetGroup(vision->id), kNotFound);
  EXPECT_EQ(store().ListUserGroups(alice.id)->size(), 1u);
  Result<Job> kept = store().GetJob(job.id);
  ASSERT_OK(kept);
  EXPECT_FALSE(kept->group_id.has_value());
  EXPECT_STATUS(store().DeleteGroup(vision->id), kNotFound);
}

// ---------------------------------------------------------------------------------------- tokens

TEST_P(StoreContractTest, TokensAreIssuedOnceAndLookedUpByHash) {
  User alice = MakeUser("alice");
  User bob = MakeUser("bob");
  Result<IssuedToken> issued = store().CreateToken(alice.id, "laptop", std::nullopt);
  ASSERT_OK(issued);
  EXPECT_EQ(issued->secret.rfind("ava_", 0), 0u) << issued->secret;
  EXPECT_EQ(issued->token.sha256_hex, TokenSha256Hex(issued->secret));
  EXPECT_EQ(issued->token.user_id, alice.id);
  EXPECT_EQ(issued->token.name, "laptop");
  EXPECT_EQ(issued->token.created, now());
  EXPECT_FALSE(issued->token.last_used.has_value());
  Result<IssuedToken> bobs = store().CreateToken(bob.id, "ci", std::nullopt);
  ASSERT_OK(bobs);
  EXPECT_NE(bobs->secret, issued->secret);

  Result<User> who = store().FindUserByToken(issued->secret);
  ASSERT_OK(who);
  EXPECT_EQ(who->id, alice.id);
  EXPECT_EQ(who->name, "alice");
  EXPECT_EQ(store().FindUserByToken(bobs->secret)->id, bob.id);

  EXPECT_STATUS(store().FindUserByToken(""), kUnauthenticated);
  EXPECT_STATUS(store().FindUserByToken(issued->secret + "x"), kUnauthenticated);
  EXPECT_STATUS(store().FindUserByToken(issued->token.sha256_hex), kUnauthenticated);  // the hash is no key
  EXPECT_STATUS(store().CreateToken(9999, "x", std::nullopt), kNotFound);

  Result<std::vector<Token>> listed = store().ListTokens(alice.id);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, issued->token.id);
  EXPECT_EQ(listed->front().sha256_hex, issued->token.sha256_hex);
  ASSERT_TRUE(listed->front().last_used.has_value());
  EXPECT_EQ(*listed->front().last_used, now());
  EXPECT_STATUS(store().ListTokens(9999), kNotFound);

  ASSERT_OK(store().RevokeToken(issued->token.id));
  EXPECT_STATUS(store().FindUserByToken(issued->secret), kUnauthenticated);
  EXPECT_STATUS(store().RevokeToken(issued->token.id), kNotFound);
  EXPECT_OK(store().FindUserByToken(bobs->secret));
}

TEST_P(StoreContractTest, TokenExpiryAndLastUsed) {
  User alice = MakeUser("alice");
  const Nanos issued_at = now();
  Result<IssuedToken> t = store().CreateToken(alice.id, "short", issued_at + std::chrono::hours(1));
  ASSERT_OK(t);
  ASSERT_TRUE(t->token.expires.has_value());
  EXPECT_EQ(*t->token.expires, issued_at + std::chrono::hours(1));

  clock_.Advance(std::chrono::minutes(10));
  ASSERT_OK(store().FindUserByToken(t->secret));
  EXPECT_EQ(store().ListTokens(alice.id)->front().last_used, issued_at + std::chrono::minutes(10));
  // last_used moves forward with use (at minute granularity).
  clock_.Advance(std::chrono::minutes(20));
  ASSERT_OK(store().FindUserByToken(t->secret));
  EXPECT_EQ(store().ListTokens(alice.id)->front().last_used, issued_at + std::chrono::minutes(30));

  clock_.Advance(std::chrono::minutes(30));  // exactly at expiry
  Result<User> expired = store().FindUserByToken(t->secret);
  EXPECT_STATUS(expired, kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos) << expired.status();
}

// The database holds only the hash: the secret's bytes appear in no file of the database, while
// the token's name (stored in the same row) does — so the scan does see the row.
TEST_P(StoreContractTest, TokenSecretIsNotInTheDatabaseFiles) {
  std::vector<std::string> files = harness_->Files();
  if (files.empty()) GTEST_SKIP() << "this backend keeps no local database files to scan";
  User alice = MakeUser("alice");
  Result<IssuedToken> t = store().CreateToken(alice.id, "needle-token-name", std::nullopt);
  ASSERT_OK(t);
  std::string all;
  for (const std::string& f : files) {
    Result<std::string> bytes = ReadFile(f);
    if (bytes.ok()) all += *bytes;
  }
  ASSERT_FALSE(all.empty());
  EXPECT_NE(all.find("needle-token-name"), std::string::npos);
  EXPECT_NE(all.find(t->token.sha256_hex), std::string::npos);
  EXPECT_EQ(all.find(t->secret), std::string::npos) << "the token secret was stored in clear";
  EXPECT_EQ(all.find(t->secret.substr(4)), std::string::npos);
}

// ----------------------------------------------------------------------------------------- nodes

TEST_P(StoreContractTest, NodesRegisterHeartbeatAndChangeState) {
  const std::string inventory = R"({"gpus":[{"index":0,"model":"V100"}]})";
  Result<Node> n = store().RegisterNode("gpu-01", "10.0.0.1:7070", inventory);
  ASSERT_OK(n);
  EXPECT_EQ(n->name, "gpu-01");
  EXPECT_EQ(n->address, "10.0.0.1:7070");
  EXPECT_EQ(n->inventory_json, inventory);
  EXPECT_EQ(n->state, NodeState::kUp);
  EXPECT_EQ(n->registered, now());
  EXPECT_EQ(n->last_heartbeat, now());
  EXPECT_STATUS(store().RegisterNode("gpu-02", "x", "{not json"), kInvalidArgument);
  EXPECT_STATUS(store().RegisterNode("", "x", "{}"), kInvalidArgument);

  clock_.Advance(std::chrono::seconds(30));
  ASSERT_OK(store().Heartbeat(n->id));
  EXPECT_EQ(store().GetNode(n->id)->last_heartbeat, now());
  EXPECT_STATUS(store().Heartbeat(9999), kNotFound);

  // Down, then heartbeats resume: up again, with events for both.
  Result<Node> down = store().SetNodeState(n->id, NodeState::kDown, "missed 3 heartbeats");
  ASSERT_OK(down);
  EXPECT_EQ(down->state, NodeState::kDown);
  ASSERT_OK(store().Heartbeat(n->id));
  EXPECT_EQ(store().GetNode(n->id)->state, NodeState::kUp);

  // Drained survives the agent re-registering (new address and inventory are taken).
  ASSERT_OK(store().SetNodeState(n->id, NodeState::kDrained, "maintenance"));
  clock_.Advance(std::chrono::seconds(30));
  Result<Node> again = store().RegisterNode("gpu-01", "10.0.0.9:7070", "{}");
  ASSERT_OK(again);
  EXPECT_EQ(again->id, n->id);
  EXPECT_EQ(again->state, NodeState::kDrained);
  EXPECT_EQ(again->address, "10.0.0.9:7070");
  EXPECT_EQ(again->inventory_json, "{}");
  EXPECT_EQ(again->registered, n->registered);
  EXPECT_EQ(again->last_heartbeat, now());
  ASSERT_OK(store().Heartbeat(n->id));
  EXPECT_EQ(store().GetNode(n->id)->state, NodeState::kDrained);
  // A down node that re-registers is up.
  ASSERT_OK(store().SetNodeState(n->id, NodeState::kDown, "lost"));
  EXPECT_EQ(store().RegisterNode("gpu-01", "10.0.0.9:7070", "{}")->state, NodeState::kUp);

  Result<std::vector<Event>> events = store().ListEvents({.node_id = n->id}, {});
  ASSERT_OK(events);
  EXPECT_EQ(Types(*events),
            (std::vector<std::string>{"node.registered", "node.down", "node.up", "node.drained",
                                      "node.registered", "node.down", "node.registered"}));
  EXPECT_EQ((*events)[1].message, "missed 3 heartbeats");
  for (const Event& e : *events) EXPECT_FALSE(e.job_id.has_value());

  EXPECT_EQ(store().GetNodeByName("gpu-01")->id, n->id);
  EXPECT_STATUS(store().GetNodeByName("gpu-99"), kNotFound);
  EXPECT_STATUS(store().SetNodeState(9999, NodeState::kUp, ""), kNotFound);
  Result<Node> n2 = store().RegisterNode("gpu-02", "10.0.0.2:7070", "{}");
  ASSERT_OK(n2);
  Result<std::vector<Node>> nodes = store().ListNodes({});
  ASSERT_OK(nodes);
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].name, "gpu-01");
  EXPECT_EQ((*nodes)[1].name, "gpu-02");
  EXPECT_EQ(store().ListNodes({.after_id = n->id})->size(), 1u);

  // Deleting a node keeps its events.
  ASSERT_OK(store().DeleteNode(n->id));
  EXPECT_STATUS(store().GetNode(n->id), kNotFound);
  EXPECT_STATUS(store().DeleteNode(n->id), kNotFound);
  EXPECT_EQ(store().ListEvents({.node_id = n->id}, {})->size(), events->size());
}

// ---------------------------------------------------------------------------------------- quotas

TEST_P(StoreContractTest, QuotasUpsertListDelete) {
  MakeUser("alice");
  MakeGroup("vision");
  ASSERT_OK(store().SetQuota({.scope = QuotaScope::kUser, .name = "alice", .gpu_model = "*", .max_gpus = 8}));
  ASSERT_OK(
      store().SetQuota({.scope = QuotaScope::kGroup, .name = "vision", .gpu_model = "V100", .max_gpus = 16}));
  ASSERT_OK(
      store().SetQuota({.scope = QuotaScope::kUser, .name = "alice", .gpu_model = "A100", .max_gpus = 2}));
  // Replacing keeps one row.
  ASSERT_OK(store().SetQuota({.scope = QuotaScope::kUser, .name = "alice", .gpu_model = "*", .max_gpus = 4}));

  Result<std::vector<Quota>> quotas = store().ListQuotas();
  ASSERT_OK(quotas);
  ASSERT_EQ(quotas->size(), 3u);
  // Ordered by scope, name, model: "group" < "user", "*" < "A100".
  EXPECT_EQ((*quotas)[0].scope, QuotaScope::kGroup);
  EXPECT_EQ((*quotas)[0].max_gpus, 16);
  EXPECT_EQ((*quotas)[1].gpu_model, "*");
  EXPECT_EQ((*quotas)[1].max_gpus, 4);
  EXPECT_EQ((*quotas)[2].gpu_model, "A100");
  EXPECT_EQ((*quotas)[2].max_gpus, 2);

  Status unknown = store().SetQuota({.scope = QuotaScope::kGroup, .name = "nlp", .max_gpus = 1});
  EXPECT_STATUS(unknown, kNotFound);
  EXPECT_NE(unknown.message().find("nlp"), std::string::npos);
  EXPECT_STATUS(store().SetQuota({.scope = QuotaScope::kUser, .name = "alice", .max_gpus = -1}),
                kInvalidArgument);
  EXPECT_STATUS(
      store().SetQuota({.scope = QuotaScope::kUser, .name = "alice", .gpu_model = "", .max_gpus = 1}),
      kInvalidArgument);

  ASSERT_OK(store().DeleteQuota(QuotaScope::kUser, "alice", "A100"));
  EXPECT_STATUS(store().DeleteQuota(QuotaScope::kUser, "alice", "A100"), kNotFound);
  EXPECT_EQ(store().ListQuotas()->size(), 2u);
}

// ------------------------------------------------------------------------------------------ jobs

TEST_P(StoreContractTest, CreateJobKeepsSpecAndStartsQueued) {
  User alice = MakeUser("alice");
  Group g = MakeGroup("vision");
  NewJob spec{.owner_id = alice.id,
              .group_id = g.id,
              .name = "resnet50",
              .kind = JobKind::kWorkspace,
              .spec_yaml = "name: resnet50\nresources:\n  gpus: 0.5\n  model: V100\nenv: {LR: '0.1'}\n",
              .priority = 7,
              .gpus = 0.5,
              .gpu_model = "V100",
              .gang_size = 2,
              .cpus = 3.5,
              .memory_bytes = int64_t{64} << 30,
              .max_runtime = std::chrono::hours(12)};
  Result<Job> job = store().CreateJob(spec);
  ASSERT_OK(job);
  EXPECT_GT(job->id, 0);
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->submitted, now());
  EXPECT_FALSE(job->scheduled || job->started || job->finished || job->exit_code);
  EXPECT_TRUE(job->node_ids.empty());

  Result<Job> got = store().GetJob(job->id);
  ASSERT_OK(got);
  EXPECT_EQ(got->owner_id, alice.id);
  EXPECT_EQ(got->group_id, g.id);
  EXPECT_EQ(got->name, "resnet50");
  EXPECT_EQ(got->kind, JobKind::kWorkspace);
  EXPECT_EQ(got->spec_yaml, spec.spec_yaml);
  EXPECT_EQ(got->priority, 7);
  EXPECT_DOUBLE_EQ(got->gpus, 0.5);
  EXPECT_EQ(got->gpu_model, "V100");
  EXPECT_EQ(got->gang_size, 2);
  EXPECT_DOUBLE_EQ(got->cpus, 3.5);
  EXPECT_EQ(got->memory_bytes, int64_t{64} << 30);
  EXPECT_EQ(got->max_runtime, std::chrono::hours(12));
  EXPECT_EQ(got->assignment_json, "");
  EXPECT_EQ(got->report_json, "");

  std::vector<Event> events = JobEvents(job->id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "job.queued");
  EXPECT_EQ(events[0].time, now());

  EXPECT_STATUS(store().GetJob(9999), kNotFound);
  NewJob bad = spec;
  bad.owner_id = 9999;
  EXPECT_STATUS(store().CreateJob(bad), kNotFound);
  bad = spec;
  bad.group_id = 9999;
  EXPECT_STATUS(store().CreateJob(bad), kNotFound);
  bad = spec;
  bad.gang_size = 0;
  EXPECT_STATUS(store().CreateJob(bad), kInvalidArgument);
  bad = spec;
  bad.gpus = -1;
  EXPECT_STATUS(store().CreateJob(bad), kInvalidArgument);
  bad = spec;
  bad.cpus = std::numeric_limits<double>::quiet_NaN();
  EXPECT_STATUS(store().CreateJob(bad), kInvalidArgument);
  bad = spec;
  bad.name = "";
  EXPECT_STATUS(store().CreateJob(bad), kInvalidArgument);
}

TEST_P(StoreContractTest, JobLifecycleStampsTimesAndWritesAnEventPerTransition) {
  User alice = MakeUser("alice");
  Job job = MakeJob(alice.id, "train");
  const Nanos t0 = now();

  clock_.Advance(std::chrono::seconds(10));
  const std::string assignment = R"({"gpu-01":[0,1],"gpu-02":[4,5]})";
  Result<Job> scheduled = store().TransitionJob(
      job.id, {JobState::kQueued}, JobState::kScheduled,
      {.node_ids = std::vector<int64_t>{12, 7}, .assignment_json = assignment}, "placed on gpu-01, gpu-02");
  ASSERT_OK(scheduled);
  EXPECT_EQ(scheduled->state, JobState::kScheduled);
  EXPECT_EQ(scheduled->scheduled, now());
  EXPECT_EQ(scheduled->node_ids, (std::vector<int64_t>{12, 7}));  // gang rank order
  EXPECT_EQ(scheduled->assignment_json, assignment);

  clock_.Advance(std::chrono::seconds(2));
  Result<Job> running = store().TransitionJob(job.id, {JobState::kScheduled}, JobState::kRunning, {}, "");
  ASSERT_OK(running);
  EXPECT_EQ(running->started, now());
  EXPECT_EQ(running->scheduled, t0 + std::chrono::seconds(10));
  EXPECT_EQ(running->node_ids, (std::vector<int64_t>{12, 7}));

  clock_.Advance(std::chrono::minutes(5));
  Result<Job> done = store().TransitionJob(
      job.id, {JobState::kRunning}, JobState::kSucceeded,
      {.exit_code = 0, .reason = "exited", .report_json = R"({"accuracy":0.85})"}, "exit 0");
  ASSERT_OK(done);
  EXPECT_EQ(done->state, JobState::kSucceeded);
  EXPECT_EQ(done->finished, now());
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_EQ(done->reason, "exited");
  EXPECT_EQ(done->report_json, R"({"accuracy":0.85})");
  EXPECT_EQ(done->node_ids, (std::vector<int64_t>{12, 7}));  // history of where it ran

  std::vector<Event> events = JobEvents(job.id);
  EXPECT_EQ(Types(events),
            (std::vector<std::string>{"job.queued", "job.scheduled", "job.running", "job.succeeded"}));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].message, "placed on gpu-01, gpu-02");
  EXPECT_EQ(events[3].message, "exit 0");
  EXPECT_FALSE(events[2].message.empty());  // a default message names the states
  EXPECT_EQ(events[3].time, now());
  for (const Event& e : events) EXPECT_EQ(e.job_id, job.id);

  // Terminal: no way out, and the request is refused before touching the database.
  EXPECT_STATUS(store().TransitionJob(job.id, {JobState::kSucceeded}, JobState::kQueued, {}, ""),
                kInvalidArgument);
  Result<Job> late = store().TransitionJob(job.id, {JobState::kRunning}, JobState::kFailed, {}, "");
  EXPECT_STATUS(late, kFailedPrecondition);
  EXPECT_EQ(JobEvents(job.id).size(), 4u);
}

TEST_P(StoreContractTest, TransitionFromAWrongStateChangesNothing) {
  User alice = MakeUser("alice");
  Job job = MakeJob(alice.id, "train");
  Result<Job> r =
      store().TransitionJob(job.id, {JobState::kScheduled, JobState::kRunning}, JobState::kSucceeded,
                            {.exit_code = 0, .reason = "should not stick"}, "");
  ASSERT_STATUS(r, kFailedPrecondition);
  EXPECT_NE(r.status().message().find("queued"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find(std::to_string(job.id)), std::string::npos) << r.status();
  Result<Job> same = store().GetJob(job.id);
  ASSERT_OK(same);
  EXPECT_EQ(same->state, JobState::kQueued);
  EXPECT_FALSE(same->exit_code.has_value());
  EXPECT_EQ(same->reason, "");
  EXPECT_FALSE(same->finished.has_value());
  EXPECT_EQ(JobEvents(job.id).size(), 1u);

  EXPECT_STATUS(store().TransitionJob(9999, {JobState::kQueued}, JobState::kScheduled, {}, ""), kNotFound);
  EXPECT_STATUS(store().TransitionJob(job.id, {}, JobState::kScheduled, {}, ""), kInvalidArgument);
  EXPECT_STATUS(store().TransitionJob(job.id, {JobState::kQueued}, JobState::kQueued, {}, ""),
                kInvalidArgument);
  EXPECT_STATUS(
      store().TransitionJob(job.id, {JobState::kQueued}, JobState::kScheduled, {.report_json = "{oops"}, ""),
      kInvalidArgument);
  EXPECT_EQ(store().GetJob(job.id)->state, JobState::kQueued);
}

TEST_P(StoreContractTest, RequeueClearsThePlacement) {
  User alice = MakeUser("alice");
  Job job = MakeJob(alice.id, "train");
  ASSERT_OK(store().TransitionJob(job.id, {JobState::kQueued}, JobState::kScheduled,
                                  {.node_ids = std::vector<int64_t>{3}, .assignment_json = R"({"n":[0]})"},
                                  ""));
  ASSERT_OK(store().TransitionJob(job.id, {JobState::kScheduled}, JobState::kRunning, {}, ""));
  Result<Job> back = store().TransitionJob(job.id, {JobState::kScheduled, JobState::kRunning},
                                           JobState::kQueued, {.reason = "preempted by job 99"}, "preempted");
  ASSERT_OK(back);
  EXPECT_EQ(back->state, JobState::kQueued);
  EXPECT_TRUE(back->node_ids.empty());
  EXPECT_EQ(back->assignment_json, "");
  EXPECT_FALSE(back->scheduled.has_value());
  EXPECT_FALSE(back->started.has_value());
  EXPECT_EQ(back->reason, "preempted by job 99");
  EXPECT_TRUE(store().ListJobs({.node_id = 3}, {})->empty());
  EXPECT_EQ(Types(JobEvents(job.id)),
            (std::vector<std::string>{"job.queued", "job.scheduled", "job.running", "job.queued"}));
}

TEST_P(StoreContractTest, ListJobsFilters) {
  User alice = MakeUser("alice");
  User bob = MakeUser("bob");
  Group vision = MakeGroup("vision");
  Job a1 = MakeJob(alice.id, "a1", vision.id);
  Job a2 = MakeJob(alice.id, "a2");
  Job b1 = MakeJob(bob.id, "b1", vision.id, JobKind::kWorkspace);
  Job b2 = MakeJob(bob.id, "b2");
  ASSERT_OK(store().TransitionJob(a2.id, {JobState::kQueued}, JobState::kScheduled,
                                  {.node_ids = std::vector<int64_t>{5, 6}}, ""));
  ASSERT_OK(store().TransitionJob(b2.id, {JobState::kQueued}, JobState::kScheduled,
                                  {.node_ids = std::vector<int64_t>{6}}, ""));
  ASSERT_OK(store().TransitionJob(b2.id, {JobState::kScheduled}, JobState::kRunning, {}, ""));

  auto ids = [&](const JobFilter& f, Page p = {}) {
    Result<std::vector<Job>> jobs = store().ListJobs(f, p);
    EXPECT_OK(jobs);
    std::vector<int64_t> out;
    if (jobs.ok()) {
      for (const Job& j : *jobs) out.push_back(j.id);
    }
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(ids({}), (V{a1.id, a2.id, b1.id, b2.id}));
  EXPECT_EQ(ids({.owner_id = alice.id}), (V{a1.id, a2.id}));
  EXPECT_EQ(ids({.group_id = vision.id}), (V{a1.id, b1.id}));
  EXPECT_EQ(ids({.node_id = 6}), (V{a2.id, b2.id}));
  EXPECT_EQ(ids({.node_id = 5}), (V{a2.id}));
  EXPECT_EQ(ids({.states = {JobState::kQueued}}), (V{a1.id, b1.id}));
  EXPECT_EQ(ids({.states = {JobState::kScheduled, JobState::kRunning}}), (V{a2.id, b2.id}));
  EXPECT_EQ(ids({.kind = JobKind::kWorkspace}), (V{b1.id}));
  EXPECT_EQ(ids({.owner_id = bob.id, .node_id = 6, .states = {JobState::kRunning}, .kind = JobKind::kJob}),
            (V{b2.id}));
  EXPECT_EQ(ids({}, {.after_id = a1.id, .limit = 2}), (V{a2.id, b1.id}));
  EXPECT_EQ(ids({.owner_id = 9999}), V{});
  Result<std::vector<Job>> listed = store().ListJobs({.node_id = 6}, {});
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].node_ids, (V{5, 6}));  // placements come back with listed jobs too
  EXPECT_STATUS(store().ListJobs({}, {.limit = 0}), kInvalidArgument);
}

// Many agents or requests race to move the same job out of the same state: exactly one wins, the
// others get FailedPrecondition, and only the winner's change and event are stored.
TEST_P(StoreContractTest, TransitionRaceHasExactlyOneWinner) {
  User alice = MakeUser("alice");
  constexpr int kThreads = 8;
  constexpr int kJobs = 5;
  for (int round = 0; round < kJobs; ++round) {
    Job job = MakeJob(alice.id, fmt::format("race{}", round));
    std::latch start(kThreads);
    std::atomic<int> wins{0}, refused{0}, other{0};
    std::atomic<int64_t> winner{-1};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        Result<Job> r =
            store().TransitionJob(job.id, {JobState::kQueued}, JobState::kScheduled,
                                  {.node_ids = std::vector<int64_t>{100 + t}}, fmt::format("thread {}", t));
        if (r.ok()) {
          ++wins;
          winner = 100 + t;
        } else if (r.status().code() == Code::kFailedPrecondition) {
          ++refused;
        } else {
          ++other;
          ADD_FAILURE() << "thread " << t << ": " << r.status();
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(refused.load(), kThreads - 1);
    EXPECT_EQ(other.load(), 0);
    Result<Job> after = store().GetJob(job.id);
    ASSERT_OK(after);
    EXPECT_EQ(after->state, JobState::kScheduled);
    EXPECT_EQ(after->node_ids, (std::vector<int64_t>{winner.load()}));
    std::vector<Event> events = JobEvents(job.id);
    EXPECT_EQ(Types(events), (std::vector<std::string>{"job.queued", "job.scheduled"}));
    if (events.size() == 2) {
      EXPECT_EQ(events[1].message, fmt::format("thread {}", winner.load() - 100));
    }
  }
}

// ---------------------------------------------------------------------------------------- events

TEST_P(StoreContractTest, EventsBelongToOneJobOrNode) {
  User alice = MakeUser("alice");
  Job job = MakeJob(alice.id, "train");
  Result<Node> node = store().RegisterNode("gpu-01", "a", "{}");
  ASSERT_OK(node);
  clock_.Advance(std::chrono::seconds(1));
  Result<Event> e = store().AddEvent({.job_id = job.id, .type = "job.note", .message = "checkpoint saved"});
  ASSERT_OK(e);
  EXPECT_EQ(e->job_id, job.id);
  EXPECT_FALSE(e->node_id.has_value());
  EXPECT_EQ(e->time, now());
  EXPECT_EQ(e->type, "job.note");
  EXPECT_EQ(e->message, "checkpoint saved");
  ASSERT_OK(store().AddEvent({.node_id = node->id, .type = "node.gpu_xid", .message = "Xid 79 on GPU 3"}));
  // Events of nodes that no longer have a row are accepted: history outlives nodes.
  ASSERT_OK(store().AddEvent({.node_id = 424242, .type = "node.note", .message = ""}));

  EXPECT_STATUS(store().AddEvent({.type = "x"}), kInvalidArgument);
  EXPECT_STATUS(store().AddEvent({.job_id = job.id, .node_id = node->id, .type = "x"}), kInvalidArgument);
  EXPECT_STATUS(store().AddEvent({.job_id = job.id, .type = ""}), kInvalidArgument);
  EXPECT_STATUS(store().AddEvent({.job_id = 9999, .type = "x"}), kNotFound);

  EXPECT_EQ(Types(JobEvents(job.id)), (std::vector<std::string>{"job.queued", "job.note"}));
  Result<std::vector<Event>> node_events = store().ListEvents({.node_id = node->id}, {});
  ASSERT_OK(node_events);
  EXPECT_EQ(Types(*node_events), (std::vector<std::string>{"node.registered", "node.gpu_xid"}));
  Result<std::vector<Event>> all = store().ListEvents({}, {});
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 5u);
  EXPECT_TRUE(
      std::is_sorted(all->begin(), all->end(), [](const Event& a, const Event& b) { return a.id < b.id; }));
  Result<std::vector<Event>> page = store().ListEvents({}, {.after_id = (*all)[1].id, .limit = 2});
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, (*all)[2].id);
  EXPECT_EQ((*page)[1].id, (*all)[3].id);
}

// ------------------------------------------------------------------------------------------ logs

TEST_P(StoreContractTest, LogsAppendAndReadInOrder) {
  User alice = MakeUser("alice");
  Job job = MakeJob(alice.id, "train");
  Job other = MakeJob(alice.id, "other");
  const std::string binary("\x00\xff\x01 not utf-8 \xc3\x28\n", 17);
  Result<LogChunk> c1 = store().AppendLog(job.id, LogStream::kStdout, "epoch 1 loss 0.9\n");
  ASSERT_OK(c1);
  EXPECT_EQ(c1->seq, 1);
  EXPECT_EQ(c1->time, now());
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_EQ(store().AppendLog(job.id, LogStream::kStderr, binary)->seq, 2);
  ASSERT_EQ(store().AppendLog(other.id, LogStream::kStdout, "other job\n")->seq, 1);  // per-job seqs
  ASSERT_EQ(store().AppendLog(job.id, LogStream::kSystem, "node gpu-01 lost\n")->seq, 3);

  Result<std::vector<LogChunk>> all = store().ReadLogs(job.id, 0, 100);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].data, "epoch 1 loss 0.9\n");
  EXPECT_EQ((*all)[0].stream, LogStream::kStdout);
  EXPECT_EQ((*all)[1].data, binary);
  EXPECT_EQ((*all)[1].stream, LogStream::kStderr);
  EXPECT_EQ((*all)[1].time, now());
  EXPECT_EQ((*all)[2].stream, LogStream::kSystem);
  for (const LogChunk& c : *all) EXPECT_EQ(c.job_id, job.id);

  Result<std::vector<LogChunk>> tail = store().ReadLogs(job.id, 1, 1);
  ASSERT_OK(tail);
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ(tail->front().seq, 2);
  EXPECT_TRUE(store().ReadLogs(job.id, 3, 100)->empty());  // caught up: nothing new yet
  EXPECT_STATUS(store().ReadLogs(job.id, 0, 0), kInvalidArgument);
  EXPECT_STATUS(store().ReadLogs(9999, 0, 10), kNotFound);
  EXPECT_STATUS(store().AppendLog(9999, LogStream::kStdout, "x"), kNotFound);
  EXPECT_STATUS(store().AppendLog(job.id, LogStream::kStdout, ""), kInvalidArgument);

  // Logs outlive the run: a finished job's logs still read, and more can be appended (a late
  // flush from the agent).
  ASSERT_OK(
      store().TransitionJob(job.id, {JobState::kQueued}, JobState::kCancelled, {}, "cancelled by alice"));
  EXPECT_EQ(store().ReadLogs(job.id, 0, 100)->size(), 3u);
  EXPECT_EQ(store().AppendLog(job.id, LogStream::kStdout, "late\n")->seq, 4);
}

// Appenders on several threads, and a follower reading as they write: every chunk gets a distinct
// seq with no gaps, each appender's chunks keep their order, and the follower — always asking for
// chunks after the last seq it saw — receives every chunk exactly once, in seq order.
TEST_P(StoreContractTest, ConcurrentAppendersAndAFollower) {
  User alice = MakeUser("alice");
  Job job = MakeJob(alice.id, "train");
  constexpr int kWriters = 4;
  constexpr int kChunksEach = 40;
  constexpr int kTotal = kWriters * kChunksEach;

  std::vector<LogChunk> followed;
  std::atomic<bool> follower_failed{false};
  std::atomic<bool> writers_done{false};
  std::thread follower([&] {
    int64_t last = 0;
    for (;;) {
      // Read the flag first: an empty read after the writers finished means everything was seen.
      const bool done = writers_done.load();
      Result<std::vector<LogChunk>> chunks = store().ReadLogs(job.id, last, 7);
      if (!chunks.ok()) {
        follower_failed = true;
        ADD_FAILURE() << chunks.status();
        return;
      }
      if (chunks->empty()) {
        if (done) return;
        std::this_thread::yield();
      }
      for (LogChunk& c : *chunks) {
        last = c.seq;
        followed.push_back(std::move(c));
      }
    }
  });
  std::latch start(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      start.arrive_and_wait();
      for (int i = 0; i < kChunksEach; ++i) {
        Result<LogChunk> c = store().AppendLog(job.id, w % 2 ? LogStream::kStderr : LogStream::kStdout,
                                               fmt::format("w{} line {}\n", w, i));
        if (!c.ok()) ADD_FAILURE() << "writer " << w << ": " << c.status();
      }
    });
  }
  for (auto& th : writers) th.join();
  writers_done = true;
  follower.join();
  ASSERT_FALSE(follower_failed.load());

  std::vector<LogChunk> all;
  int64_t after = 0;
  for (;;) {
    Result<std::vector<LogChunk>> page = store().ReadLogs(job.id, after, 50);
    ASSERT_OK(page);
    if (page->empty()) break;
    after = page->back().seq;
    all.insert(all.end(), page->begin(), page->end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kTotal));
  std::map<int, int> next_line;  // writer → next line number expected
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
    int w = -1, line = -1;
    ASSERT_EQ(std::sscanf(all[i].data.c_str(), "w%d line %d", &w, &line), 2) << all[i].data;
    EXPECT_EQ(line, next_line[w]) << "writer " << w << "'s chunks out of order";
    next_line[w] = line + 1;
  }
  ASSERT_EQ(followed.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(followed[i].seq, all[i].seq);
    EXPECT_EQ(followed[i].data, all[i].data);
  }
}

// ------------------------------------------------------------------------------------ migrations

TEST_P(StoreContractTest, FreshDatabaseIsAtTheNewestSchema) {
  Result<int> version = store().SchemaVersion();
  ASSERT_OK(version);
  EXPECT_EQ(*version, AvaSchemaMigrations().back().version);
  Result<std::unique_ptr<SqlConnection>> conn = harness_->Connect();
  if (!conn.ok()) GTEST_SKIP() << "no second connection: " << conn.status();
  Result<SqlResult> rows =
      (*conn)->Query("SELECT version, description FROM schema_migrations ORDER BY version");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->rows.size(), AvaSchemaMigrations().size());
  for (size_t i = 0; i < rows->rows.size(); ++i) {
    EXPECT_EQ(rows->rows[i][0].AsInt(), AvaSchemaMigrations()[i].version);
    EXPECT_EQ(rows->rows[i][1].AsText(), AvaSchemaMigrations()[i].description);
  }
}

TEST_P(StoreContractTest, ReopenKeepsDataAndAppliesNothingTwice) {
  if (!harness_->CanReopen()) GTEST_SKIP() << "this database does not outlive its store";
  User alice = MakeUser("alice");
  Job job = MakeJob(alice.id, "train");
  ASSERT_OK(store().AppendLog(job.id, LogStream::kStdout, "hello\n"));
  Result<IssuedToken> token = store().CreateToken(alice.id, "t", std::nullopt);
  ASSERT_OK(token);
  store_.reset();

  for (int i = 0; i < 2; ++i) {
    Result<std::unique_ptr<Store>> reopened = harness_->Open(options_);
    ASSERT_OK(reopened);
    store_ = std::move(reopened).value();
    EXPECT_EQ(*store().SchemaVersion(), AvaSchemaMigrations().back().version);
    EXPECT_EQ(store().GetUserByName("alice")->id, alice.id);
    EXPECT_EQ(store().FindUserByToken(token->secret)->id, alice.id);
    EXPECT_EQ(store().ReadLogs(job.id, 0, 10)->front().data, "hello\n");
    // The log seq counter survives too.
    EXPECT_EQ(store().AppendLog(job.id, LogStream::kStdout, "again\n")->seq, 2 + i);
    store_.reset();
  }
  Result<std::unique_ptr<SqlConnection>> conn = harness_->Connect();
  ASSERT_OK(conn);
  Result<SqlResult> count = (*conn)->Query("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_OK(count);
  EXPECT_EQ(count->rows[0][0].AsInt(), static_cast<int64_t>(AvaSchemaMigrations().size()));
}

TEST_P(StoreContractTest, NewerSchemaIsRefused) {
  if (!harness_->CanReopen()) GTEST_SKIP() << "this database does not outlive its store";
  store_.reset();
  Result<std::unique_ptr<SqlConnection>> conn = harness_->Connect();
  ASSERT_OK(conn);
  ASSERT_OK(
      (*conn)->Query("INSERT INTO schema_migrations (version, description, applied_at_ns) VALUES (9999, "
                     "'from the future', 0)"));
  conn->reset();
  Result<std::unique_ptr<Store>> reopened = harness_->Open(options_);
  ASSERT_STATUS(reopened, kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("9999"), std::string::npos) << reopened.status();
  EXPECT_NE(reopened.status().message().find("newer"), std::string::npos) << reopened.status();
}

// The migrator on its own, over an empty database: ordered application, upgrade of an older
// database, rollback of a failing step, idempotence, and a refused bad list.
TEST_P(StoreContractTest, MigratorAppliesInOrderAndRollsBackAFailingStep) {
  Result<std::unique_ptr<SqlConnection>> made = harness_->ConnectEmpty();
  ASSERT_OK(made);
  SqlConnection& conn = **made;
  EXPECT_EQ(*AppliedSchemaVersion(conn), 0);

  const Migration v1{1, "create a", "CREATE TABLE a (x INTEGER NOT NULL)",
                     "CREATE TABLE a (x BIGINT NOT NULL)"};
  const Migration v2{2, "fill a and create b", "INSERT INTO a (x) VALUES (1); CREATE TABLE b (y TEXT)",
                     "INSERT INTO a (x) VALUES (1); CREATE TABLE b (y TEXT)"};
  const Migration v3_bad{3, "create c then fail",
                         "CREATE TABLE c (z INTEGER); INSERT INTO no_such_table VALUES (1)",
                         "CREATE TABLE c (z BIGINT); INSERT INTO no_such_table VALUES (1)"};
  std::vector<Migration> old_binary{v1};
  Result<int> at = Migrate(conn, old_binary, clock_);
  ASSERT_OK(at);
  EXPECT_EQ(*at, 1);
  std::vector<Migration> new_binary{v1, v2};
  at = Migrate(conn, new_binary, clock_);
  ASSERT_OK(at);
  EXPECT_EQ(*at, 2);
  at = Migrate(conn, new_binary, clock_);  // nothing left to do
  ASSERT_OK(at);
  EXPECT_EQ(*at, 2);
  EXPECT_EQ(conn.Query("SELECT COUNT(*) FROM a")->rows[0][0].AsInt(), 1);  // v2 ran once

  std::vector<Migration> broken{v1, v2, v3_bad};
  Result<int> failed = Migrate(conn, broken, clock_);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("schema migration 3"), std::string::npos) << failed.status();
  EXPECT_EQ(*AppliedSchemaVersion(conn), 2);
  EXPECT_FALSE(conn.Query("SELECT COUNT(*) FROM c").ok()) << "the failed migration's table survived";

  // The old binary now sees a database newer than itself.
  EXPECT_STATUS(Migrate(conn, old_binary, clock_), kFailedPrecondition);
  std::vector<Migration> unordered{v2, v1};
  EXPECT_STATUS(Migrate(conn, unordered, clock_), kInvalidArgument);
  Result<SqlResult> recorded =
      conn.Query("SELECT version, applied_at_ns FROM schema_migrations ORDER BY version");
  ASSERT_OK(recorded);
  ASSERT_EQ(recorded->rows.size(), 2u);
  EXPECT_EQ(recorded->rows[1][1].AsInt(), now().count());
}

// ------------------------------------------------------------------------------ lost connections

TEST_P(StoreContractTest, SurvivesItsConnectionsBeingKilled) {
  User alice = MakeUser("alice");
  Status killed = harness_->KillConnections();
  if (killed.code() == Code::kNotSupported) GTEST_SKIP() << killed.message();
  ASSERT_OK(killed);
  // Every pooled connection is dead now; the calls below must reconnect rather than fail.
  for (int i = 0; i < 6; ++i) {
    Result<User> u = store().GetUser(alice.id);
    ASSERT_OK(u);
    EXPECT_EQ(u->name, "alice");
  }
  ASSERT_OK(store().CreateUser("bob", false));
}

}  // namespace ava::db::contract
