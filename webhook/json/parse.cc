#include "json/parse.h"

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace driftgate::json {
namespace {

// Builds the Value tree straight from simdjson's tape, the flat array its DOM
// parser fills (format: simdjson's doc/tape.md): one 64-bit word per value, the
// type in the top byte; '{' and '[' carry the index just past their closing
// word and their element count; strings are offsets into the string buffer, a
// 4-byte length before the bytes; numbers take a second word. Reading the tape
// directly is several times cheaper per node than simdjson's element API.
class TapeConverter {
 public:
  // Strings are views into the document's string buffer, which must outlive the tree.
  TapeConverter(const simdjson::dom::document& doc, Arena& arena)
      : tape_(doc.tape.get()), strings_(doc.string_buf.get()), arena_(arena) {}

  // The root value starts at index 1, after the root word.
  void convert_root(Value* slot, std::span<const KeyPath> omit) { convert_omitting(1, slot, omit, 0); }

 private:
  static char type_at(std::uint64_t word) { return static_cast<char>(word >> 56); }
  static std::size_t count_of(std::uint64_t word) { return (word >> 32) & simdjson::internal::JSON_COUNT_MASK; }
  static std::size_t after_container(std::uint64_t word) { return static_cast<std::uint32_t>(word); }

  // The index just past the value at `i`.
  std::size_t skip(std::size_t i) const {
    switch (type_at(tape_[i])) {
      case '{':
      case '[': return after_container(tape_[i]);
      case 'l':
      case 'u':
      case 'd': return i + 2;
      default: return i + 1;
    }
  }

  std::string_view string_at(std::uint64_t word) const {
    std::size_t offset = word & simdjson::internal::JSON_VALUE_MASK;
    std::uint32_t length;
    std::memcpy(&length, strings_ + offset, sizeof length);
    return {reinterpret_cast<const char*>(strings_ + offset + sizeof length), length};
  }

  // A container's element count; the tape saturates it at 2^24 - 1, then count by walking.
  std::size_t elements(std::size_t i, bool object) const {
    std::size_t n = count_of(tape_[i]);
    if (n < simdjson::internal::JSON_COUNT_MASK) return n;
    n = 0;
    const std::size_t end = after_container(tape_[i]) - 1;
    for (std::size_t k = i + 1; k < end; k = skip(object ? k + 1 : k)) ++n;
    return n;
  }

  // Converts the value at tape index `i` into *slot; returns the index past it.
  std::size_t convert(std::size_t i, Value* slot) {
    const std::uint64_t word = tape_[i];
    switch (type_at(word)) {
      case '"': new (slot) Value(Value::string(string_at(word))); return i + 1;
      case 'l': new (slot) Value(Value::integer(next<std::int64_t>(i))); return i + 2;
      case 'u': new (slot) Value(Value::number(static_cast<double>(next<std::uint64_t>(i)))); return i + 2;
      case 'd': new (slot) Value(Value::number(next<double>(i))); return i + 2;
      case 't': new (slot) Value(Value::boolean(true)); return i + 1;
      case 'f': new (slot) Value(Value::boolean(false)); return i + 1;
      case '[': {
        const std::size_t n = elements(i, false);
        Value* items = arena_.allocate<Value>(n);
        std::size_t k = i + 1;
        for (std::size_t e = 0; e < n; ++e) k = convert(k, &items[e]);
        new (slot) Value(Value::array({items, n}));
        return after_container(word);
      }
      case '{': {
        const std::size_t n = elements(i, true);
        Member* members = arena_.allocate<Member>(n);
        std::size_t k = i + 1;
        for (std::size_t e = 0; e < n; ++e) {
          Member* m = new (&members[e]) Member{string_at(tape_[k]), Value()};
          k = convert(k + 1, &m->value);
        }
        new (slot) Value(Value::object({members, n}));
        return after_container(word);
      }
      default: new (slot) Value(); return i + 1;  // 'n'
    }
  }

  // convert(), leaving out the members named by `omit` (paths relative to `depth`).
  void convert_omitting(std::size_t i, Value* slot, std::span<const KeyPath> omit, std::size_t depth) {
    if (omit.empty() || type_at(tape_[i]) != '{') {
      convert(i, slot);
      return;
    }
    const std::size_t n = elements(i, true);
    Member* members = arena_.allocate<Member>(n);
    std::size_t kept = 0;
    std::size_t k = i + 1;
    for (std::size_t e = 0; e < n; ++e) {
      const std::string_view key = string_at(tape_[k]);
      const std::size_t value_at = k + 1;
      k = skip(value_at);
      std::array<KeyPath, 8> below;
      std::size_t below_count = 0;
      bool omitted = false;
      for (const KeyPath& path : omit) {
        if (path.size() <= depth || path[depth] != key) continue;
        if (path.size() == depth + 1) omitted = true;
        else if (below_count < below.size()) below[below_count++] = path;
      }
      if (omitted) continue;
      Member* m = new (&members[kept++]) Member{key, Value()};
      convert_omitting(value_at, &m->value, {below.data(), below_count}, depth + 1);
    }
    new (slot) Value(Value::object({members, kept}));
  }

  template <typename T>
  T next(std::size_t i) const {
    T value;
    std::memcpy(&value, &tape_[i + 1], sizeof value);
    return value;
  }

  const std::uint64_t* tape_;
  const std::uint8_t* strings_;
  Arena& arena_;
};

// Parsers are lent to documents: a document's strings stay in its parser's string
// buffer instead of being copied out, and the parser comes back here when the
// document is destroyed. A thread keeps a couple for reuse, with their buffers.
class ParserPool {
 public:
  // Goes back to the pool of the thread that drops it, whichever that is.
  struct GiveBack {
    void operator()(simdjson::dom::parser* parser) const { give_back(parser); }
  };
  using Lent = std::unique_ptr<simdjson::dom::parser, GiveBack>;

  static Lent take() {
    auto& spares = pool();
    if (spares.empty()) return Lent(new simdjson::dom::parser);
    Lent parser(spares.back().release());
    spares.pop_back();
    return parser;
  }

 private:
  static constexpr std::size_t kMaxSpares = 2;
  static void give_back(simdjson::dom::parser* parser) {
    if (pool_gone) {  // a document outliving its thread's pool (a static one at exit)
      delete parser;
      return;
    }
    auto& spares = pool();
    // A parser keeps buffers sized for the largest document it has seen: do not
    // hoard more than a request or two per thread needs.
    if (spares.size() < kMaxSpares) spares.emplace_back(parser);
    else delete parser;
  }

  struct Spares : std::vector<std::unique_ptr<simdjson::dom::parser>> {
    ~Spares() { pool_gone = true; }
  };
  static Spares& pool() {
    thread_local Spares spares;
    return spares;
  }
  // Trivially destructible, so still readable after the pool is destroyed.
  static thread_local bool pool_gone;
};
thread_local bool ParserPool::pool_gone = false;

}  // namespace

Result<Document> parse(std::string_view text, const ParseLimits& limits) {
  ParserPool::Lent parser = ParserPool::take();
  if (parser->max_depth() != limits.max_depth) {
    if (parser->allocate(std::max<std::size_t>(parser->capacity(), 4096), limits.max_depth) != simdjson::SUCCESS)
      return Error{"out of memory preparing the JSON parser"};
  }
  simdjson::dom::element root;
  auto error = parser->parse(text.data(), text.size(), true).get(root);
  if (error == simdjson::DEPTH_ERROR)
    return Error{"JSON nesting is deeper than the limit of " + std::to_string(limits.max_depth) + " levels"};
  if (error == simdjson::EMPTY) return Error{"the body is empty, expected a JSON document"};
  if (error) return Error{std::string("malformed JSON: ") + simdjson::error_message(error)};
  Document doc;
  doc.arena = std::make_unique<Arena>(text.size() + 1024);
  TapeConverter converter(parser->doc, *doc.arena);
  converter.convert_root(&doc.root, limits.omit);
  doc.strings = std::move(parser);  // the shared_ptr keeps GiveBack as its deleter
  return doc;
}

}  // namespace driftgate::json
