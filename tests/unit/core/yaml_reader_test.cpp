#include "usp/yaml_reader.hpp"

#include <gtest/gtest.h>

namespace usp {
namespace {

struct sample {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  bool tls = false;
  std::vector<std::string> topics;
  std::string name;
};

std::vector<std::string> load(const std::string& text, sample& out) {
  auto doc = yaml_document::from_string(text, "gateway.yaml");
  auto root = doc.root();
  auto mqtt = root.child("mqtt");
  mqtt.read("host", out.host);
  mqtt.read("port", out.port, 1, 65535);
  mqtt.read("tls", out.tls);
  root.read("topics", out.topics);
  root.read("name", out.name, presence::required);
  try {
    doc.finish();
  } catch (const config_error& e) {
    return e.problems();
  }
  return {};
}

TEST(YamlReader, ReadsValuesAndKeepsDefaults) {
  sample s;
  const auto problems = load("name: gw\nmqtt:\n  port: 8883\n  tls: true\ntopics: [a, b]\n", s);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 8883);
  EXPECT_TRUE(s.tls);
  EXPECT_EQ(s.topics, (std::vector<std::string>{"a", "b"}));
}

TEST(YamlReader, ReportsEveryProblemWithFileLineAndKey) {
  sample s;
  const auto problems = load("mqtt:\n  port: 70000\n  tls: maybe\n  hots: x\ntopics: 3\nextra: 1\n", s);
  ASSERT_EQ(problems.size(), 6u);
  EXPECT_EQ(problems[0], "gateway.yaml:1: name: is required");
  EXPECT_EQ(problems[1], "gateway.yaml:2: mqtt.port: must be an integer in 1..65535");
  EXPECT_EQ(problems[2], "gateway.yaml:3: mqtt.tls: must be true or false");
  EXPECT_EQ(problems[3], "gateway.yaml:4: mqtt.hots: unknown key");
  EXPECT_EQ(problems[4], "gateway.yaml:5: topics: must be a list of strings");
  EXPECT_EQ(problems[5], "gateway.yaml:6: extra: unknown key");
  EXPECT_EQ(s.port, 1883);  // untouched on error
}

TEST(YamlReader, SyntaxErrorsCarryTheLine) {
  sample s;
  const auto problems = load("name: x\nmqtt: [unclosed\n", s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("gateway.yaml:", 0), 0u);
  EXPECT_NE(problems[0].find("YAML syntax error"), std::string::npos);
}

TEST(YamlReader, ListsOfMapsAndLoaderProblems) {
  auto doc = yaml_document::from_string("controllers:\n  - id: a\n    mode: dial\n  - id: b\n    mode: bogus\n  - 7\n",
                                        "g.yaml");
  auto root = doc.root();
  auto items = root.children("controllers");
  ASSERT_EQ(items.size(), 2u);
  for (auto& c : items) {
    std::string id, mode;
    c.read("id", id);
    c.read("mode", mode);
    if (mode != "dial") c.problem("mode", "must be dial, listen or multiplex");
  }
  try {
    doc.finish();
    FAIL() << "expected problems";
  } catch (const config_error& e) {
    ASSERT_EQ(e.problems().size(), 2u);
    EXPECT_EQ(e.problems()[0], "g.yaml:5: controllers[1].mode: must be dial, listen or multiplex");
    EXPECT_EQ(e.problems()[1], "g.yaml:6: controllers[2]: must be a map");
  }
}

std::vector<std::string> problems_after(yaml_document& doc) {
  try {
    doc.finish();
  } catch (const config_error& e) {
    return e.problems();
  }
  return {};
}

TEST(YamlReader, ForbiddenKeysAreReportedWithAdviceNotAsUnknown) {
  auto doc = yaml_document::from_string("mqtt:\n  password: x\n", "g.yaml");
  auto mqtt = doc.root().child("mqtt");
  mqtt.forbid("password", "use password_file");
  mqtt.forbid("secret", "never reported: absent");
  const auto p = problems_after(doc);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "g.yaml:2: mqtt.password: use password_file");
}

TEST(YamlReader, ARequiredListMustNotBeEmpty) {
  auto doc = yaml_document::from_string("controllers: []\nother: []\n", "g.yaml");
  auto root = doc.root();
  EXPECT_TRUE(root.children("controllers", presence::required).empty());
  EXPECT_TRUE(root.children("other").empty());
  const auto p = problems_after(doc);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "g.yaml:1: controllers: must not be empty");
}

TEST(YamlReader, ProblemsInAbsentOrNullSectionsPointAtTheKeyOrTheParent) {
  auto doc = yaml_document::from_string("name: x\nlisten:\ntls:\n  cert: a\n  key:\nlast: 1\n", "g.yaml");
  auto root = doc.root();
  std::string s;
  root.read("name", s);
  root.read("last", s);
  root.child("listen").problem("port", "null section");
  auto tls = root.child("tls");
  tls.read("cert", s);
  tls.read("key", s);
  tls.problem("key", "null value");
  root.child("http").problem("port", "absent section");
  const auto p = problems_after(doc);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "g.yaml:1: http.port: absent section");
  EXPECT_EQ(p[1], "g.yaml:2: listen.port: null section");
  EXPECT_EQ(p[2], "g.yaml:5: tls.key: null value");
}

TEST(YamlReader, MissingFileIsAProblem) {
  auto doc = yaml_document::from_file("/nonexistent/usp.yaml");
  EXPECT_THROW(doc.finish(), config_error);
}

}  // namespace
}  // namespace usp
