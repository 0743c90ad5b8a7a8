// CurlTransport against an in-process HTTP server on the loopback (no external server needed).
#include "store/curl_transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "common/http_server.h"
#include "test_util.h"

namespace ava::store {
namespace {

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    s.Get("/obj", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);  // handlers run on the server's threads
      ports_.push_back(req.remote_port);
      res.set_header("ETag", "\"abc\"");
      res.set_content(std::string("hello\0world", 11), "application/octet-stream");
    });
    s.Put("/obj", [this](const httplib::Request& req, httplib::Response& res) {
      received_body_ = req.body;
      received_md5_ = req.get_header_value("Content-MD5");
      had_expect_ = req.has_header("Expect");
      res.status = 200;
    });
    s.Get("/busy", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content("<Error><Code>SlowDown</Code></Error>", "application/xml");
    });
    auto port = server_.Start("127.0.0.1", 0);
    ASSERT_OK(port);
    base_ = "http://127.0.0.1:" + std::to_string(*port);
  }

  HttpServer server_;
  std::string base_;
  std::mutex mu_;
  std::vector<int> ports_;
  std::string received_body_, received_md5_;
  bool had_expect_ = true;
};

TEST_F(CurlTransportTest, GetReturnsStatusHeadersAndBinaryBody) {
  CurlTransport transport;
  auto r = transport.Send({.method = "GET", .url = base_ + "/obj"});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, std::string("hello\0world", 11));
  ASSERT_NE(r->Header("etag"), nullptr);  // names are lower-cased
  EXPECT_EQ(*r->Header("etag"), "\"abc\"");
}

TEST_F(CurlTransportTest, HeadHasHeadersButNoBody) {
  CurlTransport transport;
  auto r = transport.Send({.method = "HEAD", .url = base_ + "/obj"});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  ASSERT_NE(r->Header("content-length"), nullptr);
  EXPECT_EQ(*r->Header("content-length"), "11");
}

TEST_F(CurlTransportTest, PutSendsTheBodyAndHeadersWithoutExpectContinue) {
  CurlTransport transport;
  const std::string body(3 << 20, 'x');  // big enough that curl would otherwise send Expect
  auto r = transport.Send(
      {.method = "PUT", .url = base_ + "/obj", .headers = {{"Content-MD5", "abc=="}}, .body = body});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(received_body_, body);
  EXPECT_EQ(received_md5_, "abc==");
  EXPECT_FALSE(had_expect_);
}

TEST_F(CurlTransportTest, HttpErrorsAreResponsesNotTransportFailures) {
  CurlTransport transport;
  auto r = transport.Send({.method = "GET", .url = base_ + "/busy"});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("SlowDown"), std::string::npos);
}

TEST_F(CurlTransportTest, ReusesTheConnectionAcrossRequests) {
  CurlTransport transport;
  for (int i = 0; i < 3; ++i) ASSERT_OK(transport.Send({.method = "GET", .url = base_ + "/obj"}));
  ASSERT_EQ(ports_.size(), 3u);
  EXPECT_EQ(ports_[0], ports_[1]);
  EXPECT_EQ(ports_[1], ports_[2]);
}

TEST_F(CurlTransportTest, ConnectionRefusedIsRetryableUnavailableNamingTheEndpoint) {
  CurlTransport transport;
  std::string url = base_ + "/obj";
  server_.Stop();
  auto r = transport.Send({.method = "GET", .url = url});
  ASSERT_STATUS(r, kUnavailable);
  EXPECT_TRUE(r.status().retryable());
  EXPECT_EQ(r.status().message(), "cannot reach " + base_ + ": connection refused");
}

TEST_F(CurlTransportTest, ConcurrentSendsFromManyThreads) {
  CurlTransport transport;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = transport.Send({.method = "GET", .url = base_ + "/obj"});
        if (r.ok() && r->status == 200 && r->body.size() == 11) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 80);
}

}  // namespace
}  // namespace ava::store
