#include "kube/list.h"

#include "json/parse.h"
#include "kube/client.h"
#include "kube/status.h"

namespace driftgate::kube {

std::span<const json::Value> Page::items() const {
  const json::Value* items = document.root.find("items");
  return items ? items->items() : std::span<const json::Value>{};
}

std::string collection_path(const ApiResource& resource, std::string_view namespace_) {
  std::string path = resource.group.empty() ? "/api/" + resource.version
                                            : "/apis/" + resource.group + "/" + resource.version;
  if (resource.namespaced && !namespace_.empty()) path.append("/namespaces/").append(namespace_);
  return path.append("/").append(resource.name);
}

Pager::Pager(Client& client, ApiResource resource, ListOptions options)
    : client_(client), resource_(std::move(resource)), options_(std::move(options)) {}

std::string Pager::target() const {
  std::string query;
  auto add = [&](std::string_view key, std::string_view value) {
    query += query.empty() ? '?' : '&';
    query.append(key).append("=").append(query_escape(value));
  };
  if (options_.limit > 0) add("limit", std::to_string(options_.limit));
  if (!continue_.empty()) add("continue", continue_);
  if (!options_.label_selector.empty()) add("labelSelector", options_.label_selector);
  if (!options_.field_selector.empty()) add("fieldSelector", options_.field_selector);
  return collection_path(resource_, options_.namespace_) + query;
}

Result<std::optional<Page>> Pager::next() {
  if (done_) return std::optional<Page>();
  const std::string what = resource_.group.empty() ? resource_.name : resource_.name + "." + resource_.group;
  for (;;) {
    const std::string target = this->target();
    auto response = client_.get(target, options_.metadata_only ? kAcceptPartialObjectMetadataList
                                                                : std::string_view("application/json"));
    if (!response) {
      done_ = true;
      return Error{"list " + what + ": " + response.error()};
    }
    if (response->status == 410 && !continue_.empty()) {
      if (restarts_ > 0) {
        done_ = true;
        return Error{"list " + what + ": " + describe_error(410, response->body, "GET " + target) +
                     "; the continue token expired again after one restart from the beginning"};
      }
      // The server compacted past the snapshot the token points at (about 5
      // minutes of etcd history): only a new list from the beginning is consistent.
      ++restarts_;
      notes_.push_back("list " + what + ": the continue token expired after " + std::to_string(pages_) +
                       (pages_ == 1 ? " page" : " pages") + " (410 Gone); listed again from the beginning");
      continue_.clear();
      restarted_ = true;
      continue;
    }
    if (response->status < 200 || response->status > 299) {
      done_ = true;
      return Error{"list " + what + ": " + describe_error(response->status, response->body, "GET " + target)};
    }
    auto doc = json::parse(response->body);
    if (!doc) {
      done_ = true;
      return Error{"list " + what + ": the answer is not JSON: " + doc.error()};
    }
    Page page;
    page.document = std::move(*doc);
    if (const json::Value* metadata = page.document.root.find("metadata")) {
      page.resource_version = std::string(metadata->string_at("resourceVersion"));
      page.continue_token = std::string(metadata->string_at("continue"));
      if (const json::Value* remaining = metadata->find("remainingItemCount"); remaining && remaining->is_integer())
        page.remaining_item_count = remaining->as_integer();
    }
    if (const json::Value* items = page.document.root.find("items"); items && !items->is_array() && items->is_set()) {
      done_ = true;
      return Error{"list " + what + ": items is not an array"};
    }
    page.index = pages_++;
    page.restarted = restarted_;
    restarted_ = false;
    continue_ = page.continue_token;
    if (continue_.empty()) done_ = true;
    return std::optional<Page>(std::move(page));
  }
}

Result<ListSummary> list_pages(Client& client, const ApiResource& resource, const ListOptions& options,
                               const std::function<bool(const Page&)>& on_page) {
  Pager pager(client, resource, options);
  ListSummary summary;
  for (;;) {
    auto page = pager.next();
    if (!page) return Error{page.error()};
    if (!*page) break;
    ++summary.pages;
    summary.items += (*page)->items().size();
    summary.resource_version = (*page)->resource_version;
    if (!on_page(**page)) break;
  }
  summary.restarts = pager.restarts();
  summary.notes = pager.notes();
  return summary;
}

}  // namespace driftgate::kube
