// The instantiated data model (tree.hpp) and path resolution (resolve.hpp),
// over a small schema of their own.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dm/resolve.hpp"
#include "dm/tree.hpp"
#include "usp/err_code.hpp"

namespace usp::agent::dm {
namespace {

constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

// Device.Box. (single, with Inner.), Device.Item.{i}. (a controller's table
// with two unique keys and a nested table), Device.Fixed.{i}. (read-only).
std::shared_ptr<schema> test_schema() {
  auto s = std::make_shared<schema>();
  s->root().add_param("Name", value_type::string, param_access::read_write);
  auto& box = s->object("Device.Box.");
  box.add_param("Count", value_type::unsigned_int, param_access::read_write).default_value = "0";
  s->object("Device.Box.Inner.").add_param("Deep", value_type::string, param_access::read_write);

  auto& item = s->object("Device.Item.{i}.");
  item.access = object_access::add_delete;
  item.max_instances = 3;
  item.unique_keys = {{"Alias"}, {"Group", "Key"}};
  item.add_param("Alias", value_type::string, param_access::read_write);
  item.add_param("Enable", value_type::boolean, param_access::read_write).default_value = "false";
  item.add_param("Group", value_type::string, param_access::read_write);
  item.add_param("Key", value_type::string, param_access::read_write);
  item.add_param("Level", value_type::int_, param_access::read_write).default_value = "0";
  item.add_param("When", value_type::date_time, param_access::read_write).default_value = std::string(unknown_time);
  item.add_param("Mode", value_type::string, param_access::read_write).enumeration = {"A", "B"};
  item.add_param("Short", value_type::string, param_access::read_write).check = [](std::string_view v) {
    return v.size() > 3 ? std::string("must be at most 3 characters") : std::string();
  };
  item.add_param("Locked", value_type::string, param_access::read_only).default_value = "fixed";
  item.commands.push_back({"Run", false, {}, {}, {}, {}, {}});
  item.events.push_back({"Done", {}});
  s->object("Device.Item.{i}.Stats.").add_param("Errors", value_type::unsigned_int).default_value = "0";
  s->object("Device.Item.{i}.Sub.{i}.").add_param("Name", value_type::string, param_access::read_write);
  s->object("Device.Fixed.{i}.").add_param("Value", value_type::string, param_access::read_write);
  return s;
}

class no_context final : public model_context {};

// A value held outside the data model (like a setting).
class external_source final : public value_source {
 public:
  std::string get(const data_model&) const override { return value; }
  outcome set(data_model&, const std::string& v) const override {
    value = v;
    return {};
  }
  bool writable(const data_model&) const override { return writable_; }
  outcome check(const data_model&, const std::string& v) const override {
    return v == refused ? outcome::error(7012, "the source refuses " + v) : outcome{};
  }
  mutable std::string value = "initial";
  bool writable_ = true;
  std::string refused = "bad";
};

class DmTree : public ::testing::Test {
 protected:
  DmTree() : dm_(schema_, ctx_) {
    dm_.on_value_change = [this](const instance& i, const param_def& p, const std::string& v) {
      changes_.push_back(i.path() + p.name + "=" + v);
    };
    dm_.on_object_created = [this](const instance& i) { created_.push_back(i.path()); };
    dm_.on_object_deleted = [this](const std::string& path) { deleted_.push_back(path); };
  }
  const object_def& item_def() const { return *schema_->root().find_child("Item"); }
  const param_def& item_param(const char* n) const { return *item_def().find_param(n); }
  instance& add_item(change_origin origin = change_origin::controller) {
    auto a = dm_.add(dm_.root(), item_def(), 0, origin);
    EXPECT_TRUE(a.status.ok()) << a.status.message;
    return *a.inst;
  }
  resolved resolve_text(std::string_view text) {
    const auto p = parse_path(text);
    EXPECT_TRUE(p) << text;
    return p ? resolve(dm_, *p) : resolved{};
  }
  static std::vector<std::string> paths(const resolved& r) {
    std::vector<std::string> out;
    for (const auto* i : r.objects) out.push_back(i->path());
    for (const auto& [i, p] : r.params) out.push_back(i->path() + p->name);
    return out;
  }

  std::shared_ptr<schema> schema_ = test_schema();
  no_context ctx_;
  data_model dm_;
  std::vector<std::string> changes_, created_, deleted_;
};

// ---- instances -------------------------------------------------------------------

TEST_F(DmTree, SingleInstanceObjectsExistWithTheirParentsAndDefaults) {
  auto* box = dm_.find("Device.Box.");
  ASSERT_NE(box, nullptr);
  EXPECT_EQ(box->number(), 0U);
  EXPECT_TRUE(box->fixed());
  EXPECT_NE(dm_.find("Device.Box.Inner."), nullptr);
  EXPECT_EQ(dm_.get(*box, *box->def().find_param("Count")), "0");
  EXPECT_EQ(dm_.find("Device.Item.1."), nullptr);
  EXPECT_EQ(dm_.find("Device.Item."), nullptr);  // a table needs a number
  EXPECT_EQ(dm_.find("Device.Box"), nullptr);
}

TEST_F(DmTree, EnsureMakesFixedRowsWithTheGivenNumbersAndAddContinuesAfterThem) {
  auto& sub = dm_.ensure("Device.Item.5.Sub.2.");
  EXPECT_EQ(sub.path(), "Device.Item.5.Sub.2.");
  EXPECT_TRUE(sub.fixed());
  auto* row = dm_.find("Device.Item.5.");
  ASSERT_NE(row, nullptr);
  EXPECT_TRUE(row->fixed());
  EXPECT_EQ(&dm_.ensure("Device.Item.5."), row);  // the existing one
  EXPECT_EQ(add_item().number(), 6U);
  EXPECT_TRUE(created_.empty()) << "nothing is announced before created()";
  EXPECT_THROW(dm_.ensure("Device.Item."), std::invalid_argument);
  EXPECT_THROW(dm_.ensure("Device.Nope.1."), std::invalid_argument);
  EXPECT_THROW(dm_.ensure("Device.Item.5"), std::invalid_argument);
}

TEST_F(DmTree, InstanceNumbersAreNeverReused) {
  auto& first = add_item();
  auto& second = add_item();
  EXPECT_EQ(first.number(), 1U);
  EXPECT_EQ(second.number(), 2U);
  ASSERT_TRUE(dm_.remove(second, change_origin::controller).ok());
  auto& pending = add_item();
  EXPECT_EQ(pending.number(), 3U);
  dm_.discard(pending);  // an Add that failed keeps its number too
  EXPECT_EQ(dm_.find("Device.Item.3."), nullptr);
  EXPECT_EQ(add_item().number(), 4U);
  EXPECT_EQ(deleted_, std::vector<std::string>{"Device.Item.2."});
}

TEST_F(DmTree, AddChecksTablesCreatabilityAndLimitsForControllersOnly) {
  auto* box = dm_.find("Device.Box.");
  auto not_table = dm_.add(dm_.root(), *schema_->root().find_child("Box"), 0, change_origin::controller);
  EXPECT_EQ(not_table.status.code, code(usp::err_code::not_a_table));
  auto wrong_parent = dm_.add(*box, item_def(), 0, change_origin::controller);
  EXPECT_EQ(wrong_parent.status.code, code(usp::err_code::not_a_table));
  const auto& fixed_def = *schema_->root().find_child("Fixed");
  EXPECT_EQ(dm_.add(dm_.root(), fixed_def, 0, change_origin::controller).status.code,
            code(usp::err_code::object_not_creatable));
  EXPECT_TRUE(dm_.add(dm_.root(), fixed_def, 0, change_origin::agent).status.ok());

  for (int i = 0; i < 3; ++i) add_item();
  auto fourth = dm_.add(dm_.root(), item_def(), 0, change_origin::controller);
  EXPECT_EQ(fourth.status.code, code(usp::err_code::resources_exceeded));
  EXPECT_EQ(fourth.inst, nullptr);
  EXPECT_TRUE(dm_.add(dm_.root(), item_def(), 0, change_origin::agent).status.ok()) << "the phone is not limited";
  EXPECT_EQ(dm_.add(dm_.root(), item_def(), 2, change_origin::agent).status.code,
            code(usp::err_code::object_not_created));  // number in use
}

TEST_F(DmTree, CreatedAnnouncesOnce) {
  auto& row = add_item();
  EXPECT_TRUE(created_.empty());
  dm_.created(row);
  EXPECT_EQ(created_, std::vector<std::string>{"Device.Item.1."});
}

TEST_F(DmTree, ARowBeingFilledInAnnouncesNoValueChangesUntilCreated) {
  auto& row = add_item();
  ASSERT_TRUE(dm_.set(row, item_param("Alias"), "x", change_origin::controller).ok());
  auto& stats = *dm_.find("Device.Item.1.Stats.");
  ASSERT_TRUE(dm_.set(stats, *stats.def().find_param("Errors"), "3", change_origin::agent).ok());
  EXPECT_TRUE(changes_.empty());
  dm_.created(row);
  ASSERT_TRUE(dm_.set(row, item_param("Alias"), "y", change_origin::controller).ok());
  EXPECT_EQ(changes_, std::vector<std::string>{"Device.Item.1.Alias=y"});
  // Rows the phone makes with ensure() exist from the start.
  auto& fixed_row = dm_.ensure("Device.Item.7.");
  ASSERT_TRUE(dm_.set(fixed_row, item_param("Level"), "1", change_origin::agent).ok());
  EXPECT_EQ(changes_.back(), "Device.Item.7.Level=1");
}

TEST_F(DmTree, ControllersCannotRemoveFixedOrReadOnlyRows) {
  auto& fixed_row = dm_.ensure("Device.Item.1.");
  auto& mine = add_item();
  auto& other_table = dm_.ensure("Device.Fixed.1.");
  EXPECT_EQ(dm_.can_remove(fixed_row).code, code(usp::err_code::delete_failure));
  EXPECT_EQ(dm_.can_remove(other_table).code, code(usp::err_code::delete_failure));
  EXPECT_EQ(dm_.can_remove(*dm_.find("Device.Box.")).code, code(usp::err_code::not_a_table));
  EXPECT_TRUE(dm_.can_remove(mine).ok());
  EXPECT_EQ(dm_.remove(fixed_row, change_origin::controller).code, code(usp::err_code::delete_failure));
  EXPECT_NE(dm_.find("Device.Item.1."), nullptr);
  EXPECT_TRUE(deleted_.empty());
  // The phone itself may.
  EXPECT_TRUE(dm_.remove(fixed_row, change_origin::agent).ok());
  EXPECT_EQ(dm_.find("Device.Item.1."), nullptr);
  EXPECT_EQ(deleted_, std::vector<std::string>{"Device.Item.1."});
}

TEST_F(DmTree, RemoveTakesTheSubTreeAndRunsTheDeleteHook) {
  schema_->object("Device.Item.{i}.").on_delete = [](data_model&, instance& i) {
    return i.number() == 1 ? outcome::error(7024, "keep the first") : outcome{};
  };
  auto& first = add_item();
  auto& second = add_item();
  ASSERT_TRUE(dm_.add(second, *item_def().find_child("Sub"), 0, change_origin::agent).status.ok());
  EXPECT_EQ(dm_.remove(first, change_origin::controller).message, "keep the first");
  EXPECT_TRUE(dm_.remove(second, change_origin::controller).ok());
  EXPECT_EQ(dm_.find("Device.Item.2.Sub.1."), nullptr);
  EXPECT_EQ(deleted_, std::vector<std::string>{"Device.Item.2."});
}

// ---- values ----------------------------------------------------------------------

TEST_F(DmTree, SetCanonicalisesAndAnnouncesOnlyRealChanges) {
  auto& row = add_item();
  dm_.created(row);
  EXPECT_TRUE(dm_.set(row, item_param("Enable"), "1", change_origin::controller).ok());
  EXPECT_EQ(dm_.get(row, item_param("Enable")), "true");
  EXPECT_TRUE(dm_.set(row, item_param("Enable"), "true", change_origin::controller).ok());
  EXPECT_TRUE(dm_.set(row, item_param("Level"), "+007", change_origin::controller).ok());
  EXPECT_EQ(changes_, (std::vector<std::string>{"Device.Item.1.Enable=true", "Device.Item.1.Level=7"}));
}

TEST_F(DmTree, SetRefusesWithTheSpecCodes) {
  auto& row = add_item();
  EXPECT_EQ(dm_.set(row, item_param("Locked"), "x", change_origin::controller).code,
            code(usp::err_code::param_read_only));
  EXPECT_EQ(dm_.set(row, item_param("Level"), "high", change_origin::controller).code,
            code(usp::err_code::invalid_type));
  EXPECT_EQ(dm_.set(row, item_param("When"), "2024-01-01", change_origin::controller).code,
            code(usp::err_code::invalid_type));
  EXPECT_EQ(dm_.set(row, item_param("Mode"), "C", change_origin::controller).code,
            code(usp::err_code::invalid_value));
  const auto too_long = dm_.set(row, item_param("Short"), "abcd", change_origin::controller);
  EXPECT_EQ(too_long.code, code(usp::err_code::invalid_value));
  EXPECT_EQ(too_long.message, "Short must be at most 3 characters");
  EXPECT_EQ(dm_.get(row, item_param("Locked")), "fixed");
  EXPECT_EQ(dm_.get(row, item_param("Mode")), "");
  // The phone may write read-only parameters, but not values of the wrong type.
  EXPECT_TRUE(dm_.set(row, item_param("Locked"), "by phone", change_origin::agent).ok());
  EXPECT_EQ(dm_.set(row, item_param("Level"), "high", change_origin::agent).code, code(usp::err_code::invalid_type));
}

TEST_F(DmTree, ValidateChecksWithoutChanging) {
  auto& row = add_item();
  std::string canon;
  EXPECT_TRUE(dm_.validate(row, item_param("Enable"), "0", change_origin::controller, &canon).ok());
  EXPECT_EQ(canon, "false");
  EXPECT_TRUE(dm_.validate(row, item_param("Level"), "12", change_origin::controller, &canon).ok());
  EXPECT_EQ(canon, "12");
  EXPECT_EQ(dm_.get(row, item_param("Level")), "0");
  EXPECT_EQ(dm_.validate(row, item_param("Locked"), "x", change_origin::controller).code,
            code(usp::err_code::param_read_only));
  EXPECT_TRUE(dm_.validate(row, item_param("Locked"), "x", change_origin::agent).ok());
  EXPECT_TRUE(changes_.empty());
}

TEST_F(DmTree, UniqueKeysRefuseDuplicates) {
  auto& a = add_item();
  auto& b = add_item();
  ASSERT_TRUE(dm_.set(a, item_param("Alias"), "one", change_origin::controller).ok());
  const auto dup = dm_.set(b, item_param("Alias"), "one", change_origin::controller);
  EXPECT_EQ(dup.code, code(usp::err_code::object_exists_duplicate_key));
  EXPECT_EQ(dup.message, "Device.Item.1. already has this unique key");
  EXPECT_EQ(dm_.validate(b, item_param("Alias"), "one", change_origin::controller).code,
            code(usp::err_code::object_exists_duplicate_key));
  EXPECT_TRUE(dm_.set(a, item_param("Alias"), "one", change_origin::controller).ok()) << "its own value again";
  // An empty key is not a key yet: two rows may both lack one.
  EXPECT_TRUE(dm_.set(b, item_param("Alias"), "", change_origin::controller).ok());
  // A composite key: only the whole pair must be unique.
  ASSERT_TRUE(dm_.set(a, item_param("Group"), "g", change_origin::controller).ok());
  ASSERT_TRUE(dm_.set(a, item_param("Key"), "k", change_origin::controller).ok());
  ASSERT_TRUE(dm_.set(b, item_param("Group"), "g", change_origin::controller).ok());
  ASSERT_TRUE(dm_.set(b, item_param("Key"), "other", change_origin::controller).ok());
  EXPECT_EQ(dm_.set(b, item_param("Key"), "k", change_origin::controller).code,
            code(usp::err_code::object_exists_duplicate_key));
  EXPECT_EQ(dm_.get(b, item_param("Key")), "other");
}

TEST_F(DmTree, CheckUniqueKeysLooksAtTheRowAsItStands) {
  auto& a = add_item();
  auto& b = add_item();
  ASSERT_TRUE(dm_.set(a, item_param("Group"), "g", change_origin::controller).ok());
  ASSERT_TRUE(dm_.set(a, item_param("Key"), "k", change_origin::controller).ok());
  EXPECT_TRUE(dm_.check_unique_keys(b).ok());
  // The phone's own writes are not checked (it completes keys, as an Add's hook does)...
  ASSERT_TRUE(dm_.set(b, item_param("Group"), "g", change_origin::agent).ok());
  ASSERT_TRUE(dm_.set(b, item_param("Key"), "k", change_origin::agent).ok());
  // ...so the finished row is.
  EXPECT_EQ(dm_.check_unique_keys(b).code, code(usp::err_code::object_exists_duplicate_key));
  EXPECT_EQ(dm_.check_unique_keys(a).code, code(usp::err_code::object_exists_duplicate_key));
  ASSERT_TRUE(dm_.set(b, item_param("Key"), "k2", change_origin::agent).ok());
  EXPECT_TRUE(dm_.check_unique_keys(b).ok());
  EXPECT_TRUE(dm_.check_unique_keys(dm_.root()).ok());
}

TEST_F(DmTree, AControllersValueMustAlsoSuitTheBoundSource) {
  external_source src;
  auto& name = *schema_->root().find_param("Name");
  dm_.bind(dm_.root(), name, &src);
  const auto refused = dm_.validate(dm_.root(), name, "bad", change_origin::controller);
  EXPECT_EQ(refused.code, 7012U);
  EXPECT_EQ(refused.message, "the source refuses bad");
  EXPECT_EQ(dm_.set(dm_.root(), name, "bad", change_origin::controller).code, 7012U);
  EXPECT_EQ(src.value, "initial");
  EXPECT_TRUE(dm_.validate(dm_.root(), name, "good", change_origin::controller).ok());
}

TEST_F(DmTree, BoundValuesWriteThroughAndRefreshAnnouncesOnlyRealChanges) {
  external_source src;
  auto& name = *schema_->root().find_param("Name");
  dm_.bind(dm_.root(), name, &src);
  EXPECT_EQ(dm_.get(dm_.root(), name), "initial");
  EXPECT_TRUE(dm_.writable(dm_.root(), name));
  EXPECT_TRUE(dm_.set(dm_.root(), name, "written", change_origin::controller).ok());
  EXPECT_EQ(src.value, "written");
  EXPECT_EQ(changes_, std::vector<std::string>{"Device.Name=written"});

  src.value = "behind our back";
  dm_.refresh(dm_.root(), name);
  dm_.refresh(dm_.root(), name);  // nothing new
  EXPECT_EQ(changes_, (std::vector<std::string>{"Device.Name=written", "Device.Name=behind our back"}));

  src.writable_ = false;
  EXPECT_FALSE(dm_.writable(dm_.root(), name));
  EXPECT_EQ(dm_.set(dm_.root(), name, "x", change_origin::controller).code, code(usp::err_code::param_read_only));
  EXPECT_EQ(src.value, "behind our back");
}

TEST_F(DmTree, RelativeParamFollowsSingleInstanceChildrenOnly) {
  auto& row = add_item();
  auto [stats, errors] = dm_.relative_param(row, "Stats.Errors");
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(stats->path(), "Device.Item.1.Stats.");
  EXPECT_EQ(errors->name, "Errors");
  EXPECT_EQ(dm_.relative_param(row, "Enable").second, &item_param("Enable"));
  EXPECT_EQ(dm_.relative_param(row, "Sub.Name").second, nullptr);  // through a table
  EXPECT_EQ(dm_.relative_param(row, "Stats.Nothing").first, nullptr);
  EXPECT_EQ(dm_.relative_param(row, "Nothing.Errors").second, nullptr);
  EXPECT_EQ(dm_.relative_param(dm_.root(), "Box.Inner.Deep").first, dm_.find("Device.Box.Inner."));
}

TEST_F(DmTree, ForEachWalksParentsFirst) {
  dm_.ensure("Device.Item.1.Sub.1.");
  std::vector<std::string> seen;
  dm_.for_each([&](const instance& i) { seen.push_back(i.path()); });
  EXPECT_EQ(seen, (std::vector<std::string>{"Device.", "Device.Box.", "Device.Box.Inner.", "Device.Item.1.",
                                            "Device.Item.1.Stats.", "Device.Item.1.Sub.1."}));
}

// ---- resolve ---------------------------------------------------------------------

class DmResolve : public DmTree {
 protected:
  DmResolve() {
    // Item 1: Level 5, Enable true, Alias a, Errors 0; 2: Level 10, false, b;
    // 3: Level -3, true, c, Errors 4.
    const char* aliases[] = {"a", "b", "c"};
    const char* levels[] = {"5", "10", "-3"};
    const char* enables[] = {"true", "false", "true"};
    for (int i = 0; i < 3; ++i) {
      auto& row = add_item();
      dm_.set(row, item_param("Alias"), aliases[i], change_origin::controller);
      dm_.set(row, item_param("Level"), levels[i], change_origin::controller);
      dm_.set(row, item_param("Enable"), enables[i], change_origin::controller);
    }
    auto& stats = *dm_.find("Device.Item.3.Stats.");
    dm_.set(stats, *stats.def().find_param("Errors"), "4", change_origin::agent);
    dm_.ensure("Device.Item.2.Sub.7.");
  }
  std::vector<std::string> matches(std::string_view text) {
    const auto r = resolve_text(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.err_msg;
    return paths(r);
  }
  std::uint32_t error_of(std::string_view text) { return resolve_text(text).err_code; }
};

TEST_F(DmResolve, InstanceNumbersAndPlainPaths) {
  EXPECT_EQ(matches("Device.Item.2."), std::vector<std::string>{"Device.Item.2."});
  EXPECT_EQ(matches("Device.Item.2.Sub.7.Name"), std::vector<std::string>{"Device.Item.2.Sub.7.Name"});
  EXPECT_EQ(matches("Device.Box.Inner."), std::vector<std::string>{"Device.Box.Inner."});
  const auto missing = resolve_text("Device.Item.9.");
  EXPECT_TRUE(missing.ok());
  EXPECT_TRUE(missing.empty());
  EXPECT_FALSE(missing.search);
  EXPECT_TRUE(resolve_text("Device.Item.9.Enable").empty());
}

TEST_F(DmResolve, WildcardsMatchEveryRowAndMarkTheSearch) {
  const auto r = resolve_text("Device.Item.*.Enable");
  EXPECT_TRUE(r.search);
  EXPECT_EQ(r.target, path_target::parameter);
  EXPECT_EQ(paths(r), (std::vector<std::string>{"Device.Item.1.Enable", "Device.Item.2.Enable",
                                                "Device.Item.3.Enable"}));
  EXPECT_EQ(matches("Device.Item.*.Sub.*."), std::vector<std::string>{"Device.Item.2.Sub.7."});
  EXPECT_TRUE(matches("Device.Fixed.*.").empty());
}

TEST_F(DmResolve, SearchExpressionsWithEveryOperator) {
  EXPECT_EQ(matches("Device.Item.[Level==10]."), std::vector<std::string>{"Device.Item.2."});
  EXPECT_EQ(matches("Device.Item.[Level!=10]."), (std::vector<std::string>{"Device.Item.1.", "Device.Item.3."}));
  EXPECT_EQ(matches("Device.Item.[Level<5]."), std::vector<std::string>{"Device.Item.3."});
  EXPECT_EQ(matches("Device.Item.[Level>5]."), std::vector<std::string>{"Device.Item.2."});
  EXPECT_EQ(matches("Device.Item.[Level<=5]."), (std::vector<std::string>{"Device.Item.1.", "Device.Item.3."}));
  EXPECT_EQ(matches("Device.Item.[Level>=5]."), (std::vector<std::string>{"Device.Item.1.", "Device.Item.2."}));
  EXPECT_EQ(matches("Device.Item.[Level>-4]."), (std::vector<std::string>{"Device.Item.1.", "Device.Item.2.",
                                                                          "Device.Item.3."}));
  EXPECT_EQ(matches("Device.Item.[Alias==\"b\"].Level"), std::vector<std::string>{"Device.Item.2.Level"});
  EXPECT_EQ(matches("Device.Item.[Alias!=\"b\"&&Enable==true]."),
            (std::vector<std::string>{"Device.Item.1.", "Device.Item.3."}));
  EXPECT_EQ(matches("Device.Item.[Enable==1&&Level<0]."), std::vector<std::string>{"Device.Item.3."});
  EXPECT_EQ(matches("Device.Item.[Stats.Errors>0]."), std::vector<std::string>{"Device.Item.3."});
  const auto none = resolve_text("Device.Item.[Alias==\"zzz\"].");
  EXPECT_TRUE(none.ok());
  EXPECT_TRUE(none.search);
  EXPECT_TRUE(none.empty());
}

TEST_F(DmResolve, SearchTypeErrorsAre7008) {
  EXPECT_EQ(error_of("Device.Item.[Level==high]."), code(usp::err_code::invalid_path_syntax));
  EXPECT_EQ(error_of("Device.Item.[Enable==maybe]."), code(usp::err_code::invalid_path_syntax));
  EXPECT_EQ(error_of("Device.Item.[Alias<\"b\"]."), code(usp::err_code::invalid_path_syntax));
  EXPECT_EQ(error_of("Device.Item.[Enable>false]."), code(usp::err_code::invalid_path_syntax));
  EXPECT_EQ(error_of("Device.Item.[When<2024-01-01]."), code(usp::err_code::invalid_path_syntax));
  EXPECT_EQ(error_of("Device.Item.[Nothing==1]."), code(usp::err_code::invalid_path));
  EXPECT_TRUE(resolve_text("Device.Item.[When<2024-01-01T00:00:00Z].").ok());
}

TEST_F(DmResolve, APathEndingAtATableMatchesItsRows) {
  const auto r = resolve_text("Device.Item.");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.table, &item_def());
  EXPECT_EQ(r.table_owner, &dm_.root());
  EXPECT_FALSE(r.search);
  EXPECT_EQ(paths(r).size(), 3U);
  const auto empty = resolve_text("Device.Item.1.Sub.");
  ASSERT_TRUE(empty.ok());
  EXPECT_NE(empty.table, nullptr);
  EXPECT_EQ(empty.table_owner, dm_.find("Device.Item.1."));
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(resolve_text("Device.Box.").table, nullptr);
}

TEST_F(DmResolve, InvalidPathsAre7026) {
  for (const char* p : {"Device.Nothing.", "Device.Box.Nothing", "Device.Item.Enable", "Device.Item.{i}.",
                        "Device.Box.1.", "Device.Item.1.Nothing.", "Device.Item.Sub.1.", "Device.Box+.Count",
                        "Device.Item.1.Nothing()", "Device.Item.1.Nothing!", "Device.Item.Run()"}) {
    const auto r = resolve_text(p);
    EXPECT_EQ(r.err_code, code(usp::err_code::invalid_path)) << p;
    EXPECT_FALSE(r.err_msg.empty()) << p;
  }
}

TEST_F(DmResolve, CommandsAndEventsNameTheirOwners) {
  const auto run = resolve_text("Device.Item.*.Run()");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run.target, path_target::command);
  ASSERT_NE(run.command, nullptr);
  EXPECT_EQ(run.command->name, "Run");
  EXPECT_EQ(paths(run).size(), 3U);
  const auto done = resolve_text("Device.Item.2.Done!");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done.target, path_target::event);
  ASSERT_NE(done.event, nullptr);
  EXPECT_EQ(paths(done), std::vector<std::string>{"Device.Item.2."});
  EXPECT_TRUE(resolve_text("Device.Item.8.Run()").empty());
}

}  // namespace
}  // namespace usp::agent::dm
