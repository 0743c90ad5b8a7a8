#include "store/s3_xml.h"

#include <pugixml.hpp>

#include "common/rfc3339.h"

namespace ava::store {
namespace {

// pugixml reports errors through its result object, never by throwing.
Status Load(std::string_view xml, pugi::xml_document* doc, std::string_view what) {
  pugi::xml_parse_result r = doc->load_buffer(xml.data(), xml.size());
  if (!r) {
    return Status::Internal(std::string(what) + ": malformed XML from the server: " + r.description());
  }
  return Status::OK();
}

std::string Text(const pugi::xml_node& node, const char* child) {
  return node.child(child).text().as_string();
}

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

bool IsS3ErrorDocument(std::string_view xml) {
  pugi::xml_document doc;
  return doc.load_buffer(xml.data(), xml.size()) && doc.child("Error");
}

S3ErrorBody ParseS3Error(std::string_view xml) {
  S3ErrorBody out;
  pugi::xml_document doc;
  if (xml.empty() || !doc.load_buffer(xml.data(), xml.size())) return out;
  pugi::xml_node e = doc.child("Error");
  if (!e) return out;
  out.code = Text(e, "Code");
  out.message = Text(e, "Message");
  out.request_id = Text(e, "RequestId");
  return out;
}

Result<S3ListResult> ParseListObjectsV2(std::string_view xml) {
  pugi::xml_document doc;
  AVA_RETURN_IF_ERROR(Load(xml, &doc, "list"));
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) return Status::Internal("list: the server's answer has no ListBucketResult");
  S3ListResult out;
  for (pugi::xml_node c : root.children("Contents")) {
    ObjectInfo info;
    info.key = Text(c, "Key");
    info.size = c.child("Size").text().as_ullong();
    info.etag = Unquote(Text(c, "ETag"));
    info.mtime_ns = ParseTime(Text(c, "LastModified")).value_or(Nanos(0)).count();
    out.objects.push_back(std::move(info));
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) out.common_prefixes.push_back(Text(p, "Prefix"));
  out.is_truncated = std::string_view(root.child("IsTruncated").text().as_string()) == "true";
  out.next_continuation_token = Text(root, "NextContinuationToken");
  return out;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view xml) {
  pugi::xml_document doc;
  AVA_RETURN_IF_ERROR(Load(xml, &doc, "start multipart"));
  std::string id = Text(doc.child("InitiateMultipartUploadResult"), "UploadId");
  if (id.empty()) return Status::Internal("start multipart: the server's answer has no UploadId");
  return id;
}

std::string BuildCompleteMultipartUpload(const std::vector<std::pair<int, std::string>>& parts) {
  std::string out = "<CompleteMultipartUpload>";
  for (const auto& [number, etag] : parts) {
    out += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>&quot;" + Escape(etag) +
           "&quot;</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

Result<std::string> ParseCompleteMultipartUpload(std::string_view xml) {
  pugi::xml_document doc;
  AVA_RETURN_IF_ERROR(Load(xml, &doc, "complete multipart"));
  pugi::xml_node root = doc.child("CompleteMultipartUploadResult");
  if (!root)
    return Status::Internal("complete multipart: the server's answer has no CompleteMultipartUploadResult");
  return Unquote(Text(root, "ETag"));
}

Result<std::pair<std::string, int64_t>> ParseCopyObjectResult(std::string_view xml) {
  pugi::xml_document doc;
  AVA_RETURN_IF_ERROR(Load(xml, &doc, "copy"));
  pugi::xml_node root = doc.child("CopyObjectResult");
  if (!root) return Status::Internal("copy: the server's answer has no CopyObjectResult");
  const int64_t mtime = ParseTime(Text(root, "LastModified")).value_or(Nanos(0)).count();
  return std::make_pair(Unquote(Text(root, "ETag")), mtime);
}

std::string BuildDeleteObjects(const std::vector<std::string>& keys) {
  std::string out = "<Delete><Quiet>true</Quiet>";
  for (const std::string& key : keys) out += "<Object><Key>" + Escape(key) + "</Key></Object>";
  out += "</Delete>";
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseDeleteObjectsErrors(std::string_view xml) {
  pugi::xml_document doc;
  AVA_RETURN_IF_ERROR(Load(xml, &doc, "delete objects"));
  std::vector<std::pair<std::string, std::string>> out;
  for (pugi::xml_node e : doc.child("DeleteResult").children("Error")) {
    out.emplace_back(Text(e, "Key"), Text(e, "Code") + " " + Text(e, "Message"));
  }
  return out;
}

}  // namespace ava::store
