#include "store/s3_store.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "common/thread_annotations.h"
#include "store/md5.h"
#include "store/s3_errors.h"
#include "store/s3_xml.h"

namespace ava::store {
namespace {

std::string Base64(const Md5Digest& digest) {
  unsigned char out[32];
  int n = EVP_EncodeBlock(out, digest.data(), static_cast<int>(digest.size()));
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

bool IsRetryableHttp(int status) { return status >= 500 || status == 429; }

int64_t HttpDateNs(const std::string* value) {
  if (value == nullptr) return 0;
  time_t t = curl_getdate(value->c_str(), nullptr);
  return t < 0 ? 0 : static_cast<int64_t>(t) * 1'000'000'000;
}

// "bytes 0-9/100" → first byte and total size.
bool ParseContentRange(const std::string* value, uint64_t* first, uint64_t* total) {
  if (value == nullptr) return false;
  unsigned long long a = 0, b = 0, t = 0;
  if (std::sscanf(value->c_str(), "bytes %llu-%llu/%llu", &a, &b, &t) != 3) return false;
  *first = a;
  *total = t;
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

class S3MultipartUpload final : public MultipartUpload {
 public:
  S3MultipartUpload(S3Store* store, std::string key, std::string upload_id)
      : store_(store), key_(std::move(key)), upload_id_(std::move(upload_id)) {}
  ~S3MultipartUpload() override {
    bool done;
    {
      std::lock_guard lock(mu_);
      done = done_;
    }
    if (!done) Abort().IgnoreError();
  }

  Status UploadPart(int part_number, std::string_view data) override {
    if (part_number < 1 || part_number > 10000) {
      return Status::InvalidArgument(fmt::format("multipart {}: part number {} is outside 1..10000",
                                                 store_->Resource(key_), part_number));
    }
    {
      std::lock_guard lock(mu_);
      if (done_) return Closed();
    }
    Md5Digest digest = Md5Of(data);
    S3Store::Call call{.op = "upload part",
                       .method = "PUT",
                       .key = key_,
                       .query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id_}},
                       .headers = {{"Content-MD5", Base64(digest)}},
                       .body = data};
    AVA_ASSIGN_OR_RETURN(HttpResponse response, store_->Send(call));
    if (response.status != 200) return store_->ErrorOf(call, response);
    const std::string* etag = response.Header("etag");
    std::lock_guard lock(mu_);
    parts_[part_number] = Part{etag != nullptr ? Unquote(*etag) : DigestHex(digest), digest};
    return Status::OK();
  }

  Result<ObjectInfo> Complete() override {
    std::vector<std::pair<int, std::string>> list;
    std::vector<Md5Digest> digests;
    {
      std::lock_guard lock(mu_);
      if (done_) return Closed();
      if (parts_.empty()) {
        return Status::InvalidArgument("multipart " + store_->Resource(key_) + ": complete with no parts");
      }
      for (const auto& [n, part] : parts_) {
        list.emplace_back(n, part.etag);
        digests.push_back(part.digest);
      }
    }
    const std::string expected_etag = MultipartEtag(digests);
    const std::string body = BuildCompleteMultipartUpload(list);
    S3Store::Call call{.op = "complete multipart",
                       .method = "POST",
                       .key = key_,
                       .query = {{"uploadId", upload_id_}},
                       .headers = {{"Content-Type", "application/xml"}},
                       .body = body,
                       .error_in_200 = true};
    AVA_ASSIGN_OR_RETURN(HttpResponse response, store_->Send(call));
    std::string etag;
    if (response.status == 200) {
      AVA_ASSIGN_OR_RETURN(etag, ParseCompleteMultipartUpload(response.body));
    } else {
      Status error = store_->ErrorOf(call, response);
      // A retried Complete whose first attempt went through finds the upload gone.
      if (!error.IsNotFound()) return error;
      Result<ObjectInfo> head = store_->Head(key_);
      if (!head.ok() || head->etag != expected_etag) return error;
      etag = head->etag;
    }
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    // The completion result has no size or mtime; the object's HEAD has both.
    Result<ObjectInfo> head = store_->Head(key_);
    if (head.ok()) return head;
    return ObjectInfo{key_, 0, etag, store_->clock_->WallNow().count()};
  }

  Status Abort() override {
    {
      std::lock_guard lock(mu_);
      if (done_) return Status::OK();
      done_ = true;
    }
    S3Store::Call call{
        .op = "abort multipart", .method = "DELETE", .key = key_, .query = {{"uploadId", upload_id_}}};
    AVA_ASSIGN_OR_RETURN(HttpResponse response, store_->Send(call));
    if (response.status == 204 || response.status == 200 || response.status == 404) return Status::OK();
    return store_->ErrorOf(call, response);
  }

 private:
  struct Part {
    std::string etag;  // as the server returned it
    Md5Digest digest;  // computed here, for the expected multipart etag
  };
  Status Closed() const {
    return Status::FailedPrecondition("multipart " + store_->Resource(key_) +
                                      ": upload already completed or aborted");
  }

  S3Store* const store_;
  const std::string key_;
  const std::string upload_id_;
  std::mutex mu_;
  bool done_ GUARDED_BY(mu_) = false;
  std::map<int, Part> parts_ GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------------------------

Status ParseEndpoint(const std::string& endpoint, std::string* scheme, std::string* authority) {
  size_t sep = endpoint.find("://");
  if (sep == std::string::npos) {
    return Status::InvalidArgument("S3 endpoint '" + endpoint +
                                   "' needs a scheme: http://host:port or https://host");
  }
  *scheme = endpoint.substr(0, sep);
  if (*scheme != "http" && *scheme != "https") {
    return Status::InvalidArgument("S3 endpoint '" + endpoint + "': scheme must be http or https");
  }
  std::string rest = endpoint.substr(sep + 3);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos || rest.find('?') != std::string::npos) {
    return Status::InvalidArgument("S3 endpoint '" + endpoint +
                                   "' must be scheme://host[:port] without a path");
  }
  *authority = rest;
  return Status::OK();
}

Status ValidateBucketName(const std::string& bucket) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("S3 bucket name '{}' {}", bucket, why));
  };
  if (bucket.size() < 3 || bucket.size() > 63) return bad("must be 3 to 63 characters long");
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '-')) {
      return bad("may hold only lower-case letters, digits, '.' and '-'");
    }
  }
  if (!std::isalnum(static_cast<unsigned char>(bucket.front())) ||
      !std::isalnum(static_cast<unsigned char>(bucket.back()))) {
    return bad("must start and end with a letter or digit");
  }
  return Status::OK();
}

Result<std::unique_ptr<S3Store>> S3Store::Create(S3StoreOptions options,
                                                 std::unique_ptr<HttpTransport> transport, Clock* clock,
                                                 Logger* logger) {
  AVA_RETURN_IF_ERROR(ValidateBucketName(options.bucket));
  std::string scheme, authority;
  AVA_RETURN_IF_ERROR(ParseEndpoint(options.endpoint, &scheme, &authority));
  if (options.region.empty()) return Status::InvalidArgument("S3 region is empty");
  if (options.credentials.access_key.empty() || options.credentials.secret_key.empty()) {
    return Status::Unauthenticated("S3 store for bucket " + options.bucket + " has no credentials");
  }
  if (transport == nullptr || clock == nullptr)
    return Status::InvalidArgument("S3 store needs a transport and a clock");
  return std::unique_ptr<S3Store>(new S3Store(std::move(options), std::move(transport), clock, logger,
                                              std::move(scheme), std::move(authority)));
}

S3Store::S3Store(S3StoreOptions options, std::unique_ptr<HttpTransport> transport, Clock* clock,
                 Logger* logger, std::string scheme, std::string authority)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      clock_(clock),
      logger_(logger),
      scheme_(std::move(scheme)),
      authority_(std::move(authority)),
      signer_(options_.credentials, options_.region),
      retry_(options_.retry, clock, logger) {}

std::string S3Store::Describe() const { return "s3://" + options_.bucket + "@" + authority_; }

std::string S3Store::Resource(const std::string& key) const {
  return key.empty() ? "s3://" + options_.bucket : "s3://" + options_.bucket + "/" + key;
}

std::string S3Store::PayloadHash(std::string_view body) const {
  if (body.empty()) return kEmptyPayloadSha256;
  return options_.sign_payload ? Sha256Hex(body) : kUnsignedPayload;
}

Result<HttpResponse> S3Store::SendOnce(const Call& call) {
  std::string host = authority_;
  std::string path;
  if (options_.addressing == S3Addressing::kVirtualHost) {
    host = options_.bucket + "." + authority_;
    path = "/" + UriEncode(call.key, false);
  } else {
    path = "/" + options_.bucket;
    if (!call.key.empty()) path += "/" + UriEncode(call.key, false);
  }
  std::string query = CanonicalQuery(call.query);
  HttpRequest request;
  request.method = call.method;
  request.url = scheme_ + "://" + host + path + (query.empty() ? "" : "?" + query);
  request.body = call.body;
  request.headers = call.headers;
  request.headers.emplace_back("Host", host);
  signer_.Sign(call.method, path, call.query, PayloadHash(call.body), clock_->WallNow(), &request.headers);
  return transport_->Send(request);
}

Status S3Store::ErrorOf(const Call& call, const HttpResponse& response) const {
  return S3ErrorToStatus(call.op, Resource(call.key), response.status, ParseS3Error(response.body));
}

Result<HttpResponse> S3Store::Send(const Call& call) {
  return retry_.Run(call.op + " " + Resource(call.key), [&]() -> Result<HttpResponse> {
    AVA_ASSIGN_OR_RETURN(HttpResponse response, SendOnce(call));
    bool failed_200 = call.error_in_200 && response.status == 200 && IsS3ErrorDocument(response.body);
    if (IsRetryableHttp(response.status) || failed_200) {
      Status error = ErrorOf(call, response);
      if (error.retryable()) return error;
      if (failed_200) return error;
    }
    if (!IsRetryableHttp(response.status) && response.status >= 400) {
      // Retryable S3 codes can come with a 4xx status too (RequestTimeout is a 400).
      Status error = ErrorOf(call, response);
      if (error.retryable()) return error;
    }
    return response;
  });
}

ObjectInfo S3Store::InfoFromHeaders(const std::string& key, const HttpResponse& response) const {
  ObjectInfo info;
  info.key = key;
  if (const std::string* len = response.Header("content-length"))
    info.size = std::strtoull(len->c_str(), nullptr, 10);
  if (const std::string* etag = response.Header("etag")) info.etag = Unquote(*etag);
  info.mtime_ns = HttpDateNs(response.Header("last-modified"));
  return info;
}

Result<ObjectInfo> S3Store::Head(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  Call call{.op = "head", .method = "HEAD", .key = key};
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorOf(call, response);
  return InfoFromHeaders(key, response);
}

Result<GetResult> S3Store::Get(const GetRequest& request) {
  AVA_RETURN_IF_ERROR(ValidateKey(request.key));
  if (request.suffix_length.has_value() && *request.suffix_length == 0) {
    return Status::InvalidArgument("get " + Resource(request.key) + ": suffix range of 0 bytes");
  }
  auto from_head = [&]() -> Result<GetResult> {
    AVA_ASSIGN_OR_RETURN(ObjectInfo info, Head(request.key));
    if (!request.if_match.empty() && !EtagsMatch(request.if_match, info.etag)) {
      return Status::FailedPrecondition("get " + Resource(request.key) + ": etag is " + info.etag + ", not " +
                                        request.if_match);
    }
    AVA_ASSIGN_OR_RETURN(ByteRange range, ResolveRange(request, info.size));
    GetResult out;
    out.info = std::move(info);
    out.offset = range.offset;
    return out;
  };
  // HTTP cannot ask for zero bytes.
  if (request.length.has_value() && *request.length == 0 && !request.suffix_length.has_value())
    return from_head();

  Call call{.op = "get", .method = "GET", .key = request.key};
  bool ranged = false;
  if (request.suffix_length.has_value()) {
    call.headers.emplace_back("Range", fmt::format("bytes=-{}", *request.suffix_length));
    ranged = true;
  } else if (request.offset > 0 || request.length.has_value()) {
    std::string last = request.length.has_value() ? std::to_string(request.offset + *request.length - 1) : "";
    call.headers.emplace_back("Range", fmt::format("bytes={}-{}", request.offset, last));
    ranged = true;
  }
  if (!request.if_match.empty())
    call.headers.emplace_back("If-Match", "\"" + Unquote(request.if_match) + "\"");

  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status == 416) {
    // S3 refuses every range of an empty object; the contract wants empty data then.
    Result<GetResult> head = from_head();
    if (head.ok() && head->info.size == 0) return head;
    if (!head.ok() && !head.status().IsOutOfRange()) return head.status();
    return ErrorOf(call, response);
  }
  if (response.status != 200 && response.status != 206) return ErrorOf(call, response);

  GetResult out;
  out.info = InfoFromHeaders(request.key, response);
  uint64_t first = 0, total = 0;
  if (response.status == 206 && ParseContentRange(response.Header("content-range"), &first, &total)) {
    out.info.size = total;
    out.offset = first;
    out.data = std::move(response.body);
  } else {
    out.info.size = response.body.size();
    if (ranged) {
      // The server ignored the Range header and sent everything: cut the piece out here.
      AVA_ASSIGN_OR_RETURN(ByteRange range, ResolveRange(request, response.body.size()));
      out.offset = range.offset;
      out.data = response.body.substr(range.offset, range.length);
    } else {
      out.data = std::move(response.body);
    }
  }
  return out;
}

Result<ListPage> S3Store::List(const ListRequest& request) {
  if (request.max_keys < 1 || request.max_keys > 1000) {
    return Status::InvalidArgument("list max_keys must be 1..1000, got " + std::to_string(request.max_keys));
  }
  Call call{.op = "list",
            .method = "GET",
            .query = {{"list-type", "2"}, {"max-keys", std::to_string(request.max_keys)}}};
  if (!request.prefix.empty()) call.query.emplace_back("prefix", request.prefix);
  if (!request.delimiter.empty()) call.query.emplace_back("delimiter", request.delimiter);
  if (!request.start_token.empty()) call.query.emplace_back("continuation-token", request.start_token);
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorOf(call, response);
  AVA_ASSIGN_OR_RETURN(S3ListResult parsed, ParseListObjectsV2(response.body));
  ListPage page;
  page.objects = std::move(parsed.objects);
  page.common_prefixes = std::move(parsed.common_prefixes);
  if (parsed.is_truncated) {
    if (parsed.next_continuation_token.empty()) {
      return Status::Internal("list " + Resource(request.prefix) +
                              ": truncated page without a continuation token");
    }
    page.next_token = std::move(parsed.next_continuation_token);
  }
  return page;
}

Result<ObjectInfo> S3Store::Put(const std::string& key, std::string_view data) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  Md5Digest digest = Md5Of(data);
  Call call{
      .op = "put", .method = "PUT", .key = key, .headers = {{"Content-MD5", Base64(digest)}}, .body = data};
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorOf(call, response);
  const std::string* etag = response.Header("etag");
  return ObjectInfo{key, data.size(), etag != nullptr ? Unquote(*etag) : DigestHex(digest),
                    clock_->WallNow().count()};
}

Result<std::unique_ptr<MultipartUpload>> S3Store::StartMultipart(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  Call call{.op = "start multipart", .method = "POST", .key = key, .query = {{"uploads", ""}}};
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) return ErrorOf(call, response);
  AVA_ASSIGN_OR_RETURN(std::string upload_id, ParseInitiateMultipartUpload(response.body));
  return std::unique_ptr<MultipartUpload>(
      std::make_unique<S3MultipartUpload>(this, key, std::move(upload_id)));
}

Status S3Store::Delete(const std::string& key) {
  AVA_RETURN_IF_ERROR(ValidateKey(key));
  Call call{.op = "delete", .method = "DELETE", .key = key};
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status == 204 || response.status == 200) return Status::OK();
  Status error = ErrorOf(call, response);
  // Some servers answer NoSuchKey for a missing key; S3 itself answers 204.
  if (error.IsNotFound() && ParseS3Error(response.body).code == "NoSuchKey") return Status::OK();
  return error;
}

Result<ObjectInfo> S3Store::Copy(const std::string& src, const std::string& dst) {
  AVA_RETURN_IF_ERROR(ValidateKey(src));
  AVA_RETURN_IF_ERROR(ValidateKey(dst));
  Call call{.op = "copy",
            .method = "PUT",
            .key = dst,
            .headers = {{"x-amz-copy-source", "/" + options_.bucket + "/" + UriEncode(src, false)}},
            .error_in_200 = true};
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status != 200) {
    Status error = ErrorOf(call, response);
    if (error.IsNotFound()) return error.Annotate("copy from " + Resource(src));
    return error;
  }
  AVA_ASSIGN_OR_RETURN(auto etag_mtime, ParseCopyObjectResult(response.body));
  // The copy result carries no size; the copied object's HEAD does.
  Result<ObjectInfo> head = Head(dst);
  if (head.ok()) return head;
  return ObjectInfo{dst, 0, etag_mtime.first, etag_mtime.second};
}

Status S3Store::CheckBucket() {
  Result<ListPage> page = List({.max_keys = 1});
  return page.status();
}

Status S3Store::CreateBucket() {
  std::string body;
  if (options_.region != "us-east-1") {
    body = "<CreateBucketConfiguration><LocationConstraint>" + options_.region +
           "</LocationConstraint></CreateBucketConfiguration>";
  }
  Call call{.op = "create bucket", .method = "PUT", .body = body};
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status == 200) return Status::OK();
  return ErrorOf(call, response);
}

Status S3Store::DeleteBucket() {
  Call call{.op = "delete bucket", .method = "DELETE"};
  AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
  if (response.status == 204 || response.status == 200) return Status::OK();
  return ErrorOf(call, response);
}

Status S3Store::DeleteObjects(const std::vector<std::string>& keys) {
  for (size_t start = 0; start < keys.size(); start += 1000) {
    std::vector<std::string> batch(
        keys.begin() + static_cast<std::ptrdiff_t>(start),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), start + 1000)));
    const std::string body = BuildDeleteObjects(batch);
    Call call{.op = "delete objects",
              .method = "POST",
              .query = {{"delete", ""}},
              .headers = {{"Content-MD5", Base64(Md5Of(body))}, {"Content-Type", "application/xml"}},
              .body = body};
    AVA_ASSIGN_OR_RETURN(HttpResponse response, Send(call));
    if (response.status != 200) return ErrorOf(call, response);
    AVA_ASSIGN_OR_RETURN(auto errors, ParseDeleteObjectsErrors(response.body));
    if (!errors.empty()) {
      return Status::Unavailable(fmt::format("delete objects in {}: {} keys failed, first {}: {}",
                                             Resource(""), errors.size(), errors[0].first, errors[0].second));
    }
  }
  return Status::OK();
}

Status S3Store::DeleteAll(const std::string& prefix) {
  AVA_ASSIGN_OR_RETURN(ListPage all, ListAll(*this, {.prefix = prefix}));
  std::vector<std::string> keys;
  keys.reserve(all.objects.size());
  for (ObjectInfo& o : all.objects) keys.push_back(std::move(o.key));
  return DeleteObjects(keys);
}

}  // namespace ava::store
