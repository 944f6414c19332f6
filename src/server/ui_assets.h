#pragma once
// The dashboard's static files (src/server/ui), compiled into the binary by embed_ui.cmake so
// that `tern serve` needs no files and no network to serve them.
//
// Thread-safety: the table is built once (thread-safe static) and only read.

#include <string_view>
#include <vector>

namespace tern::server {

struct UiAsset {
  std::string_view name;          // file name, e.g. "app.js"
  std::string_view content_type;  // from the extension
  std::string_view etag;          // quoted, from the content's SHA-256
  std::string_view data;
};

// Every file of src/server/ui, in name order.
const std::vector<UiAsset>& ui_assets();
// The asset named `name`, or null.
const UiAsset* find_ui_asset(std::string_view name);

}  // namespace tern::server
