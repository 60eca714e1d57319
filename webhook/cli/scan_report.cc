#include "cli/scan_report.h"

#include <initializer_list>
#include <map>
#include <string_view>

#include "json/writer.h"

namespace driftgate::cli {
namespace {

// Pieces joined by append: `"literal" + std::string` trips GCC 12's -Wrestrict
// false positive at -O2 and above.
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

std::string_view severity_name(Severity s) { return s == Severity::Error ? "error" : "warning"; }

std::string position(const manifests::Object& at) {
  std::string out = cat({at.file, ":", std::to_string(at.line), ": document ", std::to_string(at.document)});
  if (at.item >= 0) out.append(cat({" items[", std::to_string(at.item), "]"}));
  return out;
}

// The fields every line about an object starts with.
json::Writer object_line(std::string_view type, const JudgedObject& o) {
  json::Writer w;
  w.begin_object().field("type", type).field("file", o.at->file).field("line", o.at->line);
  w.field("document", static_cast<long long>(o.at->document));
  if (o.at->item >= 0) w.field("item", o.at->item);
  else w.field("item", nullptr);
  w.field_or_null("source", o.at->source);
  w.field("apiVersion", o.api_version).field("kind", o.kind).field("namespace", o.namespace_).field("name", o.name);
  w.field("operation", o.operation);
  return w;
}

}  // namespace

std::string JudgedObject::object() const {
  return namespace_.empty() ? cat({kind, " ", name}) : cat({kind, " ", namespace_, "/", name});
}

Severity severity_of(const engine::Violation& v) {
  return v.mode == policy::Mode::Enforce && !v.bypassed ? Severity::Error : Severity::Warning;
}

std::size_t ScanResult::errors() const {
  std::size_t n = 0;
  for (const JudgedObject& o : objects)
    for (const engine::Violation& v : o.violations) n += severity_of(v) == Severity::Error;
  return n;
}
std::size_t ScanResult::warnings() const {
  std::size_t n = 0;
  for (const JudgedObject& o : objects)
    for (const engine::Violation& v : o.violations) n += severity_of(v) == Severity::Warning;
  return n;
}

void write_summary(std::ostream& out, const ScanResult& result, bool colour) {
  const char* red = colour ? "\033[31m" : "";
  const char* yellow = colour ? "\033[33m" : "";
  const char* bold = colour ? "\033[1m" : "";
  const char* reset = colour ? "\033[0m" : "";
  std::map<std::string, std::pair<std::size_t, std::size_t>> per_policy;  // errors, warnings
  std::size_t with_findings = 0;
  std::string last_file;
  for (const JudgedObject& o : result.objects) {
    if (o.violations.empty()) continue;
    ++with_findings;
    if (o.at->file != last_file) {
      out << bold << o.at->file << reset << "\n";
      last_file = o.at->file;
    }
    out << "  " << position(*o.at).substr(o.at->file.size() + 1) << ": " << o.object();
    if (!o.at->source.empty()) out << " (Source: " << o.at->source << ")";
    if (o.operation != "CREATE") out << " [" << o.operation << " of the live object]";
    out << "\n";
    for (const engine::Violation& v : o.violations) {
      const Severity s = severity_of(v);
      auto& counts = per_policy[v.policy];
      (s == Severity::Error ? counts.first : counts.second)++;
      out << "    " << (s == Severity::Error ? red : yellow) << (s == Severity::Error ? "DENY" : "WARN") << reset
          << "  " << v.policy << "/" << v.rule << " (" << policy::to_string(v.mode) << (v.bypassed ? ", break-glass" : "")
          << "): " << v.message << "\n";
    }
  }
  for (const manifests::Problem& p : result.problems) out << red << "ERROR" << reset << " " << p.str() << "\n";
  if (!per_policy.empty()) {
    out << "per policy:";
    const char* sep = " ";
    for (const auto& [policy, counts] : per_policy) {
      out << sep << policy << " " << counts.first << " denied, " << counts.second << " warned";
      sep = "; ";
    }
    out << "\n";
  }
  out << result.objects.size() << " objects in " << result.files << " file" << (result.files == 1 ? "" : "s")
      << ": " << result.errors() << " denied (Enforce), " << result.warnings() << " warnings (Warn, Audit), "
      << with_findings << " objects with findings, " << result.problems.size() << " input errors\n";
}

void write_json_lines(std::ostream& out, const ScanResult& result) {
  for (const JudgedObject& o : result.objects) {
    for (const engine::Violation& v : o.violations) {
      json::Writer line = object_line("finding", o);
      line.field("policy", v.policy).field("rule", v.rule).field("mode", policy::to_string(v.mode));
      line.field("severity", severity_name(severity_of(v))).field("bypassed", v.bypassed);
      line.strings("paths", v.paths).field("message", v.message);
      out << line.end_object().text() << "\n";
    }
  }
  for (const manifests::Problem& p : result.problems) {
    json::Writer line;
    line.begin_object().field("type", "error").field("file", p.file).field("line", p.line).field("message", p.message);
    out << line.end_object().text() << "\n";
  }
  json::Writer summary;
  summary.begin_object().field("type", "summary").field("files", result.files);
  summary.field("objects", result.objects.size()).field("errors", result.errors()).field("warnings", result.warnings());
  summary.field("inputErrors", result.problems.size());
  out << summary.end_object().text() << "\n";
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      case '\r': out += "&#13;"; break;
      default:
        // XML 1.0 allows no other control characters, not even escaped.
        if (c < 0x20) out.push_back(' ');
        else out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

void write_junit(std::ostream& out, const ScanResult& result, bool warnings_fail) {
  struct Case {
    std::string classname, name, failure_type, failure, output;
    bool error = false;
  };
  std::vector<Case> cases;
  std::size_t failures = 0, errors = 0;
  for (const JudgedObject& o : result.objects) {
    const std::string classname = position(*o.at);
    if (o.matched_policies.empty()) {
      cases.push_back({classname, o.object() + ": no policy applies", "", "", "", false});
      continue;
    }
    for (const std::string& policy : o.matched_policies) {
      Case c{classname, cat({o.object(), ": ", policy}), "", "", "", false};
      for (const engine::Violation& v : o.violations) {
        if (v.policy != policy) continue;
        const std::string text = cat({v.policy, "/", v.rule, " (", policy::to_string(v.mode), "): ", v.message});
        if (severity_of(v) == Severity::Error || warnings_fail) {
          if (c.failure.empty()) c.failure_type = std::string(policy::to_string(v.mode));
          c.failure += (c.failure.empty() ? "" : "\n") + text;
        } else {
          c.output += (c.output.empty() ? "" : "\n") + text;
        }
      }
      failures += !c.failure.empty();
      cases.push_back(std::move(c));
    }
  }
  for (const manifests::Problem& p : result.problems) {
    cases.push_back({p.line > 0 ? cat({p.file, ":", std::to_string(p.line)}) : p.file, "input", "", p.message, "", true});
    ++errors;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"driftgate scan\" tests=\"" << cases.size() << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\">\n";
  out << "  <testsuite name=\"driftgate scan --manifests\" tests=\"" << cases.size() << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" skipped=\"0\">\n";
  for (const Case& c : cases) {
    out << "    <testcase classname=\"" << xml_escape(c.classname) << "\" name=\"" << xml_escape(c.name) << "\"";
    if (c.failure.empty() && c.output.empty()) {
      out << "/>\n";
      continue;
    }
    out << ">\n";
    if (!c.failure.empty()) {
      const char* element = c.error ? "error" : "failure";
      const std::string first = c.failure.substr(0, c.failure.find('\n'));
      out << "      <" << element << " message=\"" << xml_escape(first) << "\" type=\""
          << xml_escape(c.error ? "input" : c.failure_type) << "\">" << xml_escape(c.failure) << "</" << element << ">\n";
    }
    if (!c.output.empty()) out << "      <system-out>" << xml_escape(c.output) << "</system-out>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

std::string github_escape_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out.push_back(c);
  }
  return out;
}

std::string github_escape_property(std::string_view text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out.push_back(c);
  }
  return out;
}

void write_github(std::ostream& out, const ScanResult& result) {
  for (const JudgedObject& o : result.objects) {
    for (const engine::Violation& v : o.violations) {
      out << "::" << (severity_of(v) == Severity::Error ? "error" : "warning")
          << " file=" << github_escape_property(o.at->file) << ",line=" << o.at->line
          << ",title=" << github_escape_property(cat({v.policy, "/", v.rule})) << "::"
          << github_escape_data(cat({o.object(), ": ", v.message})) << "\n";
    }
  }
  for (const manifests::Problem& p : result.problems) {
    out << "::error file=" << github_escape_property(p.file);
    if (p.line > 0) out << ",line=" << p.line;
    out << ",title=" << github_escape_property("driftgate scan: input") << "::" << github_escape_data(p.message) << "\n";
  }
}

}  // namespace driftgate::cli
