#include "json/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "json/parse.h"
#include "json/writer.h"
#include "json/yaml.h"
#include "json/yaml_writer.h"

namespace driftgate::json {
namespace {

Document must_parse(std::string_view text, const ParseLimits& limits = {}) {
  auto doc = parse(text, limits);
  EXPECT_TRUE(doc.ok()) << text << ": " << (doc.ok() ? "" : doc.error());
  return doc.ok() ? std::move(*doc) : Document{};
}

Document must_parse_yaml(std::string_view text, const YamlLimits& limits = {}) {
  auto doc = parse_yaml(text, limits);
  EXPECT_TRUE(doc.ok()) << text << ": " << (doc.ok() ? "" : doc.error());
  return doc.ok() ? std::move(*doc) : Document{};
}

std::string parse_error(std::string_view text, const ParseLimits& limits = {}) {
  auto doc = parse(text, limits);
  EXPECT_FALSE(doc.ok()) << "expected an error for: " << text;
  return doc.ok() ? "" : doc.error();
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// ---- parse (simdjson) ----------------------------------------------------------

TEST(JsonParse, ReadsEveryType) {
  Document doc = must_parse(R"({"n":null,"t":true,"f":false,"i":42,"d":2.5,"s":"x","a":[1,"two"],"o":{"k":"v"}})");
  const Value& root = doc.root;
  ASSERT_TRUE(root.is_object());
  EXPECT_EQ(root.size(), 8u);
  EXPECT_TRUE(root.find("n")->is_null());
  EXPECT_FALSE(root.find("n")->is_set());
  EXPECT_TRUE(root.find("t")->is_bool());
  EXPECT_TRUE(root.find("t")->as_bool());
  EXPECT_FALSE(root.find("f")->as_bool());
  EXPECT_EQ(root.find("i")->type(), Type::Integer);
  EXPECT_EQ(root.find("i")->as_integer(), 42);
  EXPECT_EQ(root.find("d")->type(), Type::Double);
  EXPECT_DOUBLE_EQ(root.find("d")->as_double(), 2.5);
  EXPECT_EQ(root.string_at("s"), "x");
  const Value* a = root.find("a");
  ASSERT_TRUE(a->is_array());
  ASSERT_EQ(a->items().size(), 2u);
  EXPECT_EQ(a->items()[0].as_integer(), 1);
  EXPECT_EQ(a->items()[1].as_string(), "two");
  EXPECT_EQ(root.find("o")->string_at("k"), "v");
  EXPECT_EQ(root.find("missing"), nullptr);
  EXPECT_EQ(root.string_at("i"), "");  // not a string
}

TEST(JsonParse, KeepsMemberOrder) {
  Document doc = must_parse(R"({"z":1,"a":2,"m":3})");
  auto members = doc.root.members();
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].key, "z");
  EXPECT_EQ(members[1].key, "a");
  EXPECT_EQ(members[2].key, "m");
}

TEST(JsonParse, IntegersStayIntegersAndOthersAreDoubles) {
  Document doc = must_parse(R"([0, -7, 9223372036854775807, 1.0, 1e3, -0.5, 18446744073709551615])");
  auto items = doc.root.items();
  ASSERT_EQ(items.size(), 7u);
  EXPECT_EQ(items[0].type(), Type::Integer);
  EXPECT_EQ(items[1].as_integer(), -7);
  EXPECT_EQ(items[2].type(), Type::Integer);
  EXPECT_EQ(items[2].as_integer(), INT64_MAX);
  EXPECT_EQ(items[3].type(), Type::Double);
  EXPECT_EQ(items[4].type(), Type::Double);
  EXPECT_DOUBLE_EQ(items[4].as_double(), 1000.0);
  EXPECT_DOUBLE_EQ(items[5].as_double(), -0.5);
  // Beyond int64: kept as a number, not wrapped into a negative integer.
  EXPECT_EQ(items[6].type(), Type::Double);
  EXPECT_GT(items[6].as_double(), 1e19);
}

TEST(JsonParse, DecodesUnicodeEscapesToUtf8) {
  Document doc = must_parse(R"(["caf\u00e9", "\ud83d\ude00", "tab\there", "\u0000x", "\"\\\/"])");
  auto items = doc.root.items();
  EXPECT_EQ(items[0].as_string(), "caf\xC3\xA9");
  EXPECT_EQ(items[1].as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(items[2].as_string(), "tab\there");
  EXPECT_EQ(items[3].as_string(), std::string_view("\0x", 2));
  EXPECT_EQ(items[4].as_string(), "\"\\/");
}

TEST(JsonParse, MalformedJsonIsAnErrorThatSaysSo) {
  for (const char* text : {"{", R"({"a":})", R"({"a" 1})", "[1,]", "nul", R"({"a":1}x)", "'single'"}) {
    std::string error = parse_error(text);
    EXPECT_EQ(error.rfind("malformed JSON: ", 0), 0u) << text << " -> " << error;
    EXPECT_GT(error.size(), std::string("malformed JSON: ").size()) << "the reason is given";
  }
}

TEST(JsonParse, EmptyBodyIsNamed) {
  EXPECT_EQ(parse_error(""), "the body is empty, expected a JSON document");
}

TEST(JsonParse, DepthLimitErrorNamesTheLimit) {
  EXPECT_TRUE(parse(nested_arrays(4), {.max_depth = 4}).ok());
  EXPECT_EQ(parse_error(nested_arrays(5), {.max_depth = 4}), "JSON nesting is deeper than the limit of 4 levels");
  // The default limit, after a call with another limit on the same thread.
  EXPECT_TRUE(parse(nested_arrays(100)).ok());
  EXPECT_EQ(parse_error(nested_arrays(200)), "JSON nesting is deeper than the limit of 128 levels");
}

TEST(JsonParse, DocumentOutlivesTheInputText) {
  Document doc;
  {
    std::string text = R"({"key":"value","list":["a"]})";
    doc = must_parse(text);
    text.assign(text.size(), 'x');
  }
  EXPECT_EQ(doc.root.string_at("key"), "value");
  EXPECT_EQ(doc.root.find("list")->items()[0].as_string(), "a");
}

TEST(JsonParse, DocumentsAliveTogetherKeepTheirOwnStrings) {
  // A document's strings live in the parser that read it: parsers in use are
  // never lent again, whatever order documents are dropped in.
  std::vector<Document> docs;
  for (int i = 0; i < 6; ++i) docs.push_back(must_parse(R"({"name":"doc-)" + std::to_string(i) + R"("})"));
  docs.erase(docs.begin() + 2);
  docs.push_back(must_parse(R"({"name":"doc-late"})"));
  std::vector<std::string> names;
  for (const Document& d : docs) names.emplace_back(d.root.string_at("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"doc-0", "doc-1", "doc-3", "doc-4", "doc-5", "doc-late"}));
}

TEST(JsonParse, DocumentMayBeDroppedOnAnotherThread) {
  Document doc = must_parse(R"({"k":"v"})");
  std::thread([d = std::move(doc)]() mutable { EXPECT_EQ(d.root.string_at("k"), "v"); }).join();
  EXPECT_EQ(must_parse(R"({"k":"w"})").root.string_at("k"), "w");
}

TEST(JsonParse, LargeDocumentAfterSmallOneOnTheSameThread) {
  std::string big = "[";
  for (int i = 0; i < 20000; ++i) {
    if (i) big += ',';
    big += std::to_string(i);
  }
  big += "]";
  must_parse("[1]");
  Document doc = must_parse(big);
  ASSERT_EQ(doc.root.size(), 20000u);
  EXPECT_EQ(doc.root.items()[19999].as_integer(), 19999);
}

// ---- YAML (core schema) --------------------------------------------------------

TEST(Yaml, PlainScalarsResolveByTheCoreSchema) {
  Document doc = must_parse_yaml(R"(
null_tilde: ~
null_word: null
null_empty:
t: true
t2: True
f: FALSE
int: 42
neg: -7
pos: +3
hex: 0x1F
oct: 0o17
float: 1.5
exp: -2.5e3
inf: .inf
ninf: -.Inf
nan: .nan
yes_word: yes
version: 1.2.3
text: hello world
)");
  const Value& r = doc.root;
  EXPECT_TRUE(r.find("null_tilde")->is_null());
  EXPECT_TRUE(r.find("null_word")->is_null());
  EXPECT_TRUE(r.find("null_empty")->is_null());
  EXPECT_EQ(*r.find("t"), Value::boolean(true));
  EXPECT_EQ(*r.find("t2"), Value::boolean(true));
  EXPECT_EQ(*r.find("f"), Value::boolean(false));
  EXPECT_EQ(r.find("int")->type(), Type::Integer);
  EXPECT_EQ(r.find("int")->as_integer(), 42);
  EXPECT_EQ(r.find("neg")->as_integer(), -7);
  EXPECT_EQ(r.find("pos")->as_integer(), 3);
  EXPECT_EQ(r.find("hex")->as_integer(), 31);
  EXPECT_EQ(r.find("oct")->as_integer(), 15);
  EXPECT_EQ(r.find("float")->type(), Type::Double);
  EXPECT_DOUBLE_EQ(r.find("float")->as_double(), 1.5);
  EXPECT_DOUBLE_EQ(r.find("exp")->as_double(), -2500.0);
  EXPECT_TRUE(std::isinf(r.find("inf")->as_double()));
  EXPECT_GT(r.find("inf")->as_double(), 0);
  EXPECT_LT(r.find("ninf")->as_double(), 0);
  EXPECT_TRUE(std::isnan(r.find("nan")->as_double()));
  // YAML 1.2: yes/no are strings, not booleans.
  EXPECT_EQ(r.string_at("yes_word"), "yes");
  EXPECT_EQ(r.string_at("version"), "1.2.3");
  EXPECT_EQ(r.string_at("text"), "hello world");
}

TEST(Yaml, SignsAreOnlyAllowedOnceAndOnlyInFront) {
  // Core schema: int is [-+]?[0-9]+, hex 0x[0-9a-fA-F]+, octal 0o[0-7]+. A second
  // sign or a sign after the prefix leaves the scalar a string.
  Document doc = must_parse_yaml("a: +-5\nb: 0x-1\nc: 0o-7\nd: +-1.5\ne: -+5\nf: -0x1F\ng: .5\nh: 0777\n");
  const Value& r = doc.root;
  EXPECT_EQ(r.string_at("a"), "+-5") << to_string(r);
  EXPECT_EQ(r.string_at("b"), "0x-1") << to_string(r);
  EXPECT_EQ(r.string_at("c"), "0o-7") << to_string(r);
  EXPECT_EQ(r.string_at("d"), "+-1.5") << to_string(r);
  EXPECT_EQ(r.string_at("e"), "-+5") << to_string(r);
  EXPECT_EQ(r.string_at("f"), "-0x1F") << to_string(r);
  EXPECT_DOUBLE_EQ(r.find("g")->as_double(), 0.5);
  EXPECT_EQ(r.find("h")->as_integer(), 777);
}

TEST(Yaml, QuotedAndTaggedScalarsStayStrings) {
  Document doc = must_parse_yaml(R"(
dq: "true"
sq: '42'
null_quoted: "~"
tagged: !!str 1.5
empty: ""
)");
  const Value& r = doc.root;
  EXPECT_EQ(r.find("dq")->type(), Type::String);
  EXPECT_EQ(r.string_at("dq"), "true");
  EXPECT_EQ(r.string_at("sq"), "42");
  EXPECT_EQ(r.string_at("null_quoted"), "~");
  EXPECT_EQ(r.string_at("tagged"), "1.5");
  ASSERT_TRUE(r.find("empty")->is_string());
  EXPECT_EQ(r.string_at("empty"), "");
}

TEST(Yaml, NestedMapsAndSequences) {
  Document doc = must_parse_yaml(R"(
spec:
  containers:
    - name: app
      ports: [{containerPort: 8080}, {containerPort: 9090}]
    - name: sidecar
  flow: {a: [1, 2, {b: c}]}
)");
  Document expected = must_parse(
      R"({"spec":{"containers":[{"name":"app","ports":[{"containerPort":8080},{"containerPort":9090}]},{"name":"sidecar"}],"flow":{"a":[1,2,{"b":"c"}]}}})");
  EXPECT_EQ(doc.root, expected.root) << to_string(doc.root);
}

TEST(Yaml, JsonTextIsYaml) {
  Document doc = must_parse_yaml(R"({"a": {"b": [1, "x", null, true]}})");
  Document expected = must_parse(R"({"a": {"b": [1, "x", null, true]}})");
  EXPECT_EQ(doc.root, expected.root);
  EXPECT_EQ(doc.root.find("a")->find("b")->items()[1].type(), Type::String);
}

TEST(Yaml, EmptyTextIsNull) {
  Document doc = must_parse_yaml("");
  EXPECT_TRUE(doc.root.is_null());
}

TEST(Yaml, MalformedYamlNamesThePosition) {
  auto doc = parse_yaml("a: [1, 2\nb: c\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().rfind("malformed YAML at line ", 0), 0u) << doc.error();
}

TEST(Yaml, FlowDepthLimitNamesTheLimit) {
  auto ok = parse_yaml(nested_arrays(8), {.max_depth = 8});
  EXPECT_TRUE(ok.ok());
  auto deep = parse_yaml(nested_arrays(9), {.max_depth = 8});
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error(), "YAML nesting is deeper than the limit of 8 levels");
  // Far beyond anything yaml-cpp could recurse into safely.
  auto absurd = parse_yaml(nested_arrays(100000));
  ASSERT_FALSE(absurd.ok());
  EXPECT_NE(absurd.error().find("limit of 128 levels"), std::string::npos);
}

TEST(Yaml, BlockDepthLimitNamesTheLimit) {
  std::string text;
  for (int i = 0; i < 6; ++i) text += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k" + std::to_string(i) + ":\n";
  text += std::string(12, ' ') + "leaf: 1\n";
  EXPECT_TRUE(parse_yaml(text, {.max_depth = 7}).ok());
  auto deep = parse_yaml(text, {.max_depth = 5});
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error(), "YAML nesting is deeper than the limit of 5 levels");
}

// Regression: block nesting past yaml-cpp's own recursion guard (500 levels; the
// flow pre-scan does not see block nesting) failed with "malformed YAML ...: bad
// file", naming neither the cause nor the limit.
TEST(Yaml, BlockDepthBeyondTheParsersGuardNamesTheLimit) {
  std::string text;
  for (int i = 0; i < 600; ++i) text += "- ";
  text += "1\n";
  auto deep = parse_yaml(text);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().find("nesting is deeper than the YAML parser's limit of 500 levels"), std::string::npos)
      << deep.error();
}

TEST(Yaml, SizeLimitNamesTheLimit) {
  auto doc = parse_yaml(std::string(200, 'a'), {.max_depth = 128, .max_bytes = 100});
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error(), "YAML text is larger than the limit of 100 bytes");
}

TEST(Yaml, ParseIntoKeepsValuesInTheGivenArena) {
  Arena arena;
  auto v = parse_yaml_into("a: [x, 2]", arena);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->find("a")->items()[0].as_string(), "x");
  EXPECT_EQ(v->find("a")->items()[1].as_integer(), 2);
}

// ---- writer --------------------------------------------------------------------

std::string quoted(std::string_view s) {
  std::string out;
  write_string(s, out);
  return out;
}

TEST(JsonWrite, EscapesQuotesBackslashesAndNamedControls) {
  EXPECT_EQ(quoted("plain"), R"("plain")");
  EXPECT_EQ(quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(quoted("/"), R"("/")");
}

TEST(JsonWrite, EscapesOtherControlCharactersAsUnicode) {
  EXPECT_EQ(quoted(std::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(quoted("\x01\x1f"), R"("\u0001\u001f")");
  EXPECT_EQ(quoted("\x1b[31m"), R"("\u001b[31m")");
  EXPECT_EQ(quoted("\x7f"), "\"\x7f\"");  // DEL is legal in JSON strings
}

TEST(JsonWrite, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(quoted("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(quoted("a\xFFz"), "\"a" + fffd + "z\"");                  // never valid
  EXPECT_EQ(quoted("end\xC3"), "\"end" + fffd + "\"");                // truncated sequence
  EXPECT_EQ(quoted("\xC3("), "\"" + fffd + "(\"");                    // bad continuation
  EXPECT_EQ(quoted("\xC0\xAF"), "\"" + fffd + fffd + "\"");           // overlong '/'
  EXPECT_EQ(quoted("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // UTF-16 surrogate
  EXPECT_EQ(quoted("\xF4\x90\x80\x80").find("\xF4"), std::string::npos);  // above U+10FFFF
}

TEST(JsonWrite, OutputOfInvalidUtf8ParsesBack) {
  std::string out;
  write_string("x\xFF\x01y", out);
  std::string doc_text = "[" + out + "]";
  Document doc = must_parse(doc_text);
  EXPECT_EQ(doc.root.items()[0].as_string(), "x\xEF\xBF\xBD\x01y");
}

TEST(JsonWrite, WritesCompactJson) {
  Document doc = must_parse(R"( { "a" : [ 1 , 2.5 , "s" , null , true , false ] , "b" : { } , "c" : [ ] } )");
  EXPECT_EQ(to_string(doc.root), R"({"a":[1,2.5,"s",null,true,false],"b":{},"c":[]})");
}

TEST(JsonWrite, NumbersRoundTripAndNonFiniteBecomesNull) {
  EXPECT_EQ(to_string(Value::integer(-9223372036854775807LL - 1)), "-9223372036854775808");
  EXPECT_EQ(to_string(Value::number(0.1)), "0.1");
  EXPECT_EQ(to_string(Value::number(1e300)), "1e+300");
  EXPECT_EQ(to_string(Value::number(std::nan(""))), "null");
  EXPECT_EQ(to_string(Value::number(-INFINITY)), "null");
}

TEST(JsonWrite, RoundTripsThroughParse) {
  const char* text =
      R"({"metadata":{"name":"x","labels":{"app.kubernetes.io/name":"web"}},"spec":{"replicas":3,"ratio":0.25,"list":[[],{},"\u00e9\n"]}})";
  Document first = must_parse(text);
  std::string written = to_string(first.root);
  Document second = must_parse(written);
  EXPECT_EQ(first.root, second.root);
  EXPECT_EQ(to_string(second.root), written);
}

// ---- equality and clone --------------------------------------------------------

TEST(JsonEquality, ObjectsIgnoreMemberOrder) {
  Document a = must_parse(R"({"x":1,"y":{"p":[1,2],"q":"s"}})");
  Document b = must_parse(R"({"y":{"q":"s","p":[1,2]},"x":1})");
  EXPECT_EQ(a.root, b.root);
}

TEST(JsonEquality, ArraysRespectOrder) {
  Document a = must_parse("[1,2]");
  Document b = must_parse("[2,1]");
  EXPECT_FALSE(a.root == b.root);
}

TEST(JsonEquality, NullMembersCountAsAbsent) {
  Document a = must_parse(R"({"x":1,"gone":null})");
  Document b = must_parse(R"({"x":1})");
  EXPECT_EQ(a.root, b.root);
  EXPECT_EQ(b.root, a.root);
  Document c = must_parse(R"({"x":1,"extra":false})");
  EXPECT_FALSE(a.root == c.root);
  EXPECT_FALSE(c.root == a.root);
}

TEST(JsonEquality, DifferentValuesAndTypesDiffer) {
  Document d = must_parse(R"([1, 1.0, "1", true, null, {"a":1}, {"a":2}, {"b":1}, [1], {}])");
  auto v = d.root.items();
  EXPECT_EQ(v[0], v[1]) << "1 and 1.0 are the same JSON number";
  EXPECT_FALSE(v[0] == v[2]);
  EXPECT_FALSE(v[0] == v[3]);
  EXPECT_FALSE(v[4] == v[9]);
  EXPECT_FALSE(v[5] == v[6]);
  EXPECT_FALSE(v[5] == v[7]);
  EXPECT_FALSE(v[0] == v[8]);
  EXPECT_EQ(v[4], Value{});
}

TEST(JsonClone, DeepCopyOutlivesTheSource) {
  Arena arena;
  Value copy;
  std::string original_text;
  {
    Document source = must_parse(R"({"a":{"b":["x",1,2.5,null,true]},"":"empty key","e":"","l":[]})");
    copy = clone(source.root, arena);
    original_text = to_string(source.root);
    EXPECT_EQ(copy, source.root);
    EXPECT_NE(copy.find("a"), source.root.find("a")) << "a copy, not the same nodes";
  }
  // The source arena is gone; the copy still reads the same.
  EXPECT_EQ(to_string(copy), original_text);
  EXPECT_EQ(copy.string_at(""), "empty key");
}

}  // namespace
}  // namespace driftgate::json

// ---- json::Writer ---------------------------------------------------------------

namespace {
using driftgate::json::Writer;
}  // namespace

TEST(JsonWriter, CommasKeysAndNestingComeOutRight) {
  Writer w;
  w.begin_object().field("a", 1).field("b", "x").key("c").begin_array().integer(1).string("two").null().boolean(false);
  w.begin_object().end_object().begin_array().end_array().end_array().field("d", nullptr).field("e", true);
  w.end_object();
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(w.text(), R"({"a":1,"b":"x","c":[1,"two",null,false,{},[]],"d":null,"e":true})");
}

TEST(JsonWriter, AStringLiteralIsAStringNotABoolean) {
  // A const char* must not decay to bool (the overload set has both).
  EXPECT_EQ(Writer().begin_object().field("k", "text").end_object().text(), R"({"k":"text"})");
}

TEST(JsonWriter, EscapesControlCharactersQuotesAndInvalidUtf8) {
  Writer w;
  const std::string nasty = std::string("q\"b\\n\nt\tc\x01") + '\0' + "\x7f" + "\xC3\xA9" + "\xFF" + "\xE2\x82";
  w.begin_object().field(nasty, nasty).end_object();
  const std::string s = "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u0000\x7f\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"";
  EXPECT_EQ(w.text(), "{" + s + ":" + s + "}");
  // What it writes parses back, with the replacement characters in place.
  auto doc = driftgate::json::parse(w.text());
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->root.members()[0].value.as_string().substr(0, 5), "q\"b\\n");
}

TEST(JsonWriter, IntegersOfEveryWidthAndValuesAndRawText) {
  auto doc = driftgate::json::parse(R"({"x":[1,2.5,"s"]})");
  ASSERT_TRUE(doc);
  Writer w;
  w.begin_array().integer(std::size_t{18446744073709551615u}).integer(-5).integer(std::int64_t{-9223372036854775807 - 1});
  w.value(doc->root).raw(R"({"pre":"made"})").number(0.5).end_array();
  EXPECT_EQ(w.text(), R"([18446744073709551615,-5,-9223372036854775808,{"x":[1,2.5,"s"]},{"pre":"made"},0.5])");
}

TEST(JsonWriter, IsAValueCopiesContinueApart) {
  Writer base;
  base.begin_object().field("type", "x");
  Writer a = base, b = base;
  a.field("a", 1).end_object();
  b.field("b", 2).end_object();
  EXPECT_EQ(a.text(), R"({"type":"x","a":1})");
  EXPECT_EQ(b.text(), R"({"type":"x","b":2})");
  EXPECT_FALSE(base.complete());
}

// ---- json::to_yaml --------------------------------------------------------------

TEST(YamlWriter, LaysOutBlocksAsKubectlDoesAndQuotesWhatCouldReadAsSomethingElse) {
  auto doc = driftgate::json::parse(
      R"({"kind":"X","metadata":{"name":"a","labels":{"app.kubernetes.io/name":"web"}},"items":[{"a":1,"b":[true,null]},[],{}],"n":-1.5,"e":{}})");
  ASSERT_TRUE(doc);
  EXPECT_EQ(driftgate::json::to_yaml(doc->root),
            "kind: X\n"
            "metadata:\n"
            "  name: a\n"
            "  labels:\n"
            "    app.kubernetes.io/name: web\n"
            "items:\n"
            "- a: 1\n"
            "  b:\n"
            "  - true\n"
            "  - null\n"
            "- []\n"
            "- {}\n"
            "\"n\": -1.5\n"  // YAML 1.1 reads a plain n as false, a key too
            "e: {}\n");
}

TEST(YamlWriter, EveryStringReadsBackAsTheSameString) {
  const std::vector<std::string> strings = {
      "true", "False", "no", "Y", "null", "~", "", " lead", "trail ", "123", "0x1F", "1e3", ".inf", "-", "- item",
      "a: b", "a #c", "#x", "multi\nline\n", "tab\there", "quote\"s", "back\\slash", "{x}", "[x]", "*alias", "&anchor",
      "!tag", "%dir", "@at", "`tick", "|", ">", "?", "2026-05-03T02:14:00Z", "ünïcödé", "ok-plain.value/1"};
  for (const std::string& s : strings) {
    driftgate::json::Writer w;
    w.begin_object().field(s.empty() ? "empty" : s, s).end_object();
    auto doc = driftgate::json::parse(w.text());
    ASSERT_TRUE(doc) << s;
    const std::string yaml = driftgate::json::to_yaml(doc->root);
    auto back = driftgate::json::parse_yaml(yaml);
    ASSERT_TRUE(back) << back.error() << "\n" << yaml;
    EXPECT_TRUE(back->root == doc->root) << "[" << s << "] as\n" << yaml;
  }
}

// write_string looks at 8 bytes at a time (value.cc): every byte value, at every
// position of a word and across words, is escaped exactly as one at a time would.
TEST(JsonWriteString, EveryByteAtEveryPositionIsEscapedAsItselfAlone) {
  const auto escaped = [](unsigned char c) -> std::string {
    switch (c) {
      case '"': return "\\\"";
      case '\\': return "\\\\";
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      case '\b': return "\\b";
      case '\f': return "\\f";
      default: break;
    }
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      return buf;
    }
    if (c >= 0x80) return "\xEF\xBF\xBD";  // a lone byte of 0x80 and above is no UTF-8
    return std::string(1, static_cast<char>(c));
  };
  for (int b = 0; b < 256; ++b)
    for (std::size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text[at] = static_cast<char>(b);
      std::string out;
      driftgate::json::write_string(text, out);
      // Built by append: `"literal" + std::string` trips GCC 12's -Wrestrict false positive.
      std::string want = "\"";
      want.append(at, 'a').append(escaped(static_cast<unsigned char>(b))).append(18 - at, 'a').append("\"");
      ASSERT_EQ(out, want) << "byte " << b << " at " << at;
    }
  // Valid UTF-8 crossing a word boundary stays as it is.
  std::string out;
  driftgate::json::write_string("abcdef\xC3\xA9gh\xE2\x82\xACxyz", out);
  EXPECT_EQ(out, "\"abcdef\xC3\xA9gh\xE2\x82\xACxyz\"");
}
