// Add (R-ADD.0-6) and Delete (R-DEL.0-3) against a real phone data model.
#include <gtest/gtest.h>

#include <map>

#include "dm/value.hpp"
#include "phone_fixture.hpp"
#include "usp/err_code.hpp"

namespace usp::agent::test {
namespace {

constexpr std::uint32_t code(usp::err_code c) { return usp::value(c); }

using AddResp = usp::AddResp;
using DeleteResp = usp::DeleteResp;
using string_map = std::map<std::string, std::string>;

AddResp add_resp(const usp::Msg& m) {
  EXPECT_EQ(m.header().msg_type(), usp::Header::ADD_RESP) << m.DebugString();
  return m.body().response().add_resp();
}

DeleteResp delete_resp(const usp::Msg& m) {
  EXPECT_EQ(m.header().msg_type(), usp::Header::DELETE_RESP) << m.DebugString();
  return m.body().response().delete_resp();
}

std::size_t rows(phone_model& m, const std::string& table) {
  const auto r = m.must_answer(instances_req({table}, true));
  return static_cast<std::size_t>(r.body().response().get_instances_resp().req_path_results(0).curr_insts_size());
}

// Notify bodies the sink saw, as "<kind> <path>".
std::vector<std::string> notified(phone_model& m) {
  std::vector<std::string> out;
  for (const auto& s : m.sink().sent) {
    const auto& n = s.msg.body().request().notify();
    if (n.has_obj_creation()) out.push_back("created " + n.obj_creation().obj_path());
    if (n.has_obj_deletion()) out.push_back("deleted " + n.obj_deletion().obj_path());
    if (n.has_value_change()) out.push_back("changed " + n.value_change().param_path());
  }
  return out;
}

// ---- Add ---------------------------------------------------------------------------

TEST(HandleAdd, ASubscriptionGetsRecipientIdAndCreationDateFromTheAgent) {
  phone_model m;
  const auto before = dm::now_date_time();
  const auto& a = add_resp(m.must_answer(add_req(false, {{"Device.LocalAgent.Subscription.",
                                                          {{"Enable", "true", true},
                                                           {"NotifType", "ValueChange", true},
                                                           {"ReferenceList", "Device.X_000413_UI.Language", true}}}})));
  ASSERT_EQ(a.created_obj_results_size(), 1);
  EXPECT_EQ(a.created_obj_results(0).requested_path(), "Device.LocalAgent.Subscription.");
  const auto& ok = a.created_obj_results(0).oper_status().oper_success();
  EXPECT_EQ(ok.instantiated_path(), "Device.LocalAgent.Subscription.3.");  // 2 is the param_map's
  EXPECT_EQ(ok.param_errs_size(), 0);
  // R-ADD.5: every unique key, including those the agent assigned.
  EXPECT_EQ(string_map(ok.unique_keys().begin(), ok.unique_keys().end()),
            (string_map{{"Recipient", "Device.LocalAgent.Controller.2."}, {"ID", "sub-3"}, {"Alias", ""}}));
  const auto created = m.value("Device.LocalAgent.Subscription.3.CreationDate").value_or("");
  EXPECT_GE(created, before);
  EXPECT_TRUE(dm::canonical(dm::value_type::date_time, created)) << created;
  EXPECT_EQ(m.value("Device.LocalAgent.Subscription.3.NotifType"), "ValueChange");
  EXPECT_EQ(m.value("Device.LocalAgent.SubscriptionNumberOfEntries"), "2");
}

TEST(HandleAdd, AControllersOwnIdIsKept) {
  phone_model m;
  const auto& a = add_resp(m.must_answer(add_req(false, {{"Device.LocalAgent.Subscription.",
                                                          {{"ID", "mine"}, {"NotifType", "Event"}}}})));
  EXPECT_EQ(a.created_obj_results(0).oper_status().oper_success().unique_keys().at("ID"), "mine");
}

TEST(HandleAdd, PathsThatAreNotCreatableTables) {
  phone_model m;
  const auto& a = add_resp(m.must_answer(add_req(true, {{"Device.LocalAgent.", {}},
                                                        {"Device.LocalAgent.Controller.2.", {}},
                                                        {"Device.LocalAgent.Request.", {}},
                                                        {"Device.LocalAgent.Controller.", {}},
                                                        {"Device.LocalAgent.Nothing.", {}},
                                                        {"Device.LocalAgent.Subscription.2.ID", {}}})));
  const std::uint32_t expected[] = {7018, 7018, 7019, 7019, 7026, 7008};
  ASSERT_EQ(a.created_obj_results_size(), 6);
  for (int i = 0; i < 6; ++i) {
    const auto& r = a.created_obj_results(i);
    ASSERT_TRUE(r.oper_status().has_oper_failure()) << r.requested_path();
    EXPECT_EQ(r.oper_status().oper_failure().err_code(), expected[i]) << r.requested_path();
  }
  EXPECT_EQ(rows(m, "Device.LocalAgent.Controller."), 2U);
  // Without allow_partial: an Error naming the object path (TP 1.4/1.6).
  const auto err = m.must_answer(add_req(false, {{"Device.LocalAgent.Nothing.", {}}}));
  ASSERT_TRUE(err.body().has_error());
  EXPECT_EQ(err.body().error().err_code(), code(usp::err_code::invalid_arguments));
  ASSERT_EQ(err.body().error().param_errs_size(), 1);
  EXPECT_EQ(err.body().error().param_errs(0).param_path(), "Device.LocalAgent.Nothing.");
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::invalid_path));
}

TEST(HandleAdd, ARequiredFailureWithoutAllowPartialRollsBackTheWholeAdd) {
  phone_model m;
  m.notifications().controller_online(requester);
  ASSERT_NE(subscribe(m, "ObjectCreation", "Device.LocalAgent.Controller.2.BootParameter."), "");
  ASSERT_NE(subscribe(m, "ValueChange", "Device.LocalAgent.Controller.2.BootParameter."), "");
  const auto subs = rows(m, "Device.LocalAgent.Subscription.");
  const auto err = m.must_answer(add_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.", {{"Alias", "fine"}}},
                                                 {"Device.LocalAgent.Controller.2.BootParameter.",
                                                  {{"ParameterName", "Device.LocalAgent.EndpointID"}, {"Enable", "maybe", true}}}}));
  ASSERT_TRUE(err.body().has_error()) << err.DebugString();
  EXPECT_EQ(err.body().error().err_code(), code(usp::err_code::invalid_arguments));
  ASSERT_EQ(err.body().error().param_errs_size(), 1);
  EXPECT_EQ(err.body().error().param_errs(0).param_path(), "Device.LocalAgent.Controller.{i}.BootParameter.{i}.Enable");
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::invalid_type));
  EXPECT_EQ(rows(m, "Device.LocalAgent.Controller.2.BootParameter."), 0U);  // R-ADD.2a
  EXPECT_EQ(rows(m, "Device.LocalAgent.Subscription."), subs);
  EXPECT_TRUE(notified(m).empty()) << "nothing that did not happen is announced";

  // With allow_partial the good one stays, announced once it is complete.
  const auto& a = add_resp(m.must_answer(add_req(true, {{"Device.LocalAgent.Controller.2.BootParameter.", {{"Alias", "fine"}}},
                                                        {"Device.LocalAgent.Controller.2.BootParameter.",
                                                         {{"Enable", "maybe", true}}}})));
  EXPECT_EQ(a.created_obj_results(0).oper_status().oper_success().instantiated_path(),
            "Device.LocalAgent.Controller.2.BootParameter.3.");  // 1 and 2 were used by the failed Add
  EXPECT_EQ(a.created_obj_results(1).oper_status().oper_failure().err_code(), code(usp::err_code::required_param_failed));
  EXPECT_EQ(notified(m), std::vector<std::string>{"created Device.LocalAgent.Controller.2.BootParameter.3."});
  EXPECT_EQ(m.sink().sent.back().msg.body().request().notify().obj_creation().unique_keys().at("Alias"), "fine");
}

TEST(HandleAdd, NonRequiredFailuresAreReportedOnTheNewObject) {
  phone_model m;
  const auto& a = add_resp(m.must_answer(add_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.",
                                                          {{"Enable", "maybe"}, {"Nothing", "1"}, {"ParameterName", "Device.X."}}}})));
  const auto& ok = a.created_obj_results(0).oper_status().oper_success();
  EXPECT_EQ(ok.instantiated_path(), "Device.LocalAgent.Controller.2.BootParameter.1.");
  ASSERT_EQ(ok.param_errs_size(), 2);
  EXPECT_EQ(ok.param_errs(0).param(), "Enable");  // R-ADD.4: relative names
  EXPECT_EQ(ok.param_errs(0).err_code(), code(usp::err_code::invalid_type));
  EXPECT_EQ(ok.param_errs(1).param(), "Nothing");
  EXPECT_EQ(ok.param_errs(1).err_code(), code(usp::err_code::unsupported_parameter));
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.BootParameter.1.ParameterName"), "Device.X.");
}

TEST(HandleAdd, UniqueKeysAreRequiredWhateverTheRequestSays) {
  phone_model m;
  ASSERT_TRUE(m.must_answer(add_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.", {{"Alias", "a"}}}})).body().has_response());
  const auto err = m.must_answer(add_req(false, {{"Device.LocalAgent.Controller.2.BootParameter.", {{"Alias", "a"}}}}));
  ASSERT_TRUE(err.body().has_error());
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::object_exists_duplicate_key));
  EXPECT_EQ(rows(m, "Device.LocalAgent.Controller.2.BootParameter."), 1U);
}

TEST(HandleAdd, TheSubscriptionHookRefusesIncompleteOrUnknownRequests) {
  phone_model m;
  const auto& a = add_resp(m.must_answer(add_req(true, {{"Device.LocalAgent.Subscription.", {{"Enable", "true"}}}})));
  EXPECT_EQ(a.created_obj_results(0).oper_status().oper_failure().err_code(), code(usp::err_code::required_param_failed));
  const auto stranger = m.request(add_req(true, {{"Device.LocalAgent.Subscription.", {{"NotifType", "Event"}}}}), "self::stranger");
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->body().response().add_resp().created_obj_results(0).oper_status().oper_failure().err_code(),
            code(usp::err_code::request_denied));
  EXPECT_EQ(rows(m, "Device.LocalAgent.Subscription."), 1U);
}

// Subscription's unique key is (Recipient, ID); the agent fills Recipient in,
// so the key is complete only after the hook, and must be checked then.
TEST(HandleAdd, ASubscriptionIdTheRecipientAlreadyUsesIsRefused) {
  phone_model m;
  const auto err = m.must_answer(add_req(false, {{"Device.LocalAgent.Subscription.", {{"ID", "boot-2"}, {"NotifType", "Event"}}}}));
  ASSERT_TRUE(err.body().has_error()) << err.DebugString();
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::object_exists_duplicate_key));
  EXPECT_EQ(rows(m, "Device.LocalAgent.Subscription."), 1U);
  // Another recipient may use it.
  const auto other = m.request(add_req(false, {{"Device.LocalAgent.Subscription.", {{"ID", "boot-2"}, {"NotifType", "Event"}}}}),
                               "self::vendor");
  ASSERT_TRUE(other && other->body().has_response()) << (other ? other->DebugString() : "");
}

// ---- Delete ------------------------------------------------------------------------

TEST(HandleDelete, AValidPathMatchingNothingIsAnEmptySuccess) {
  phone_model m;
  for (bool partial : {false, true}) {
    const auto& d = delete_resp(m.must_answer(delete_req(partial, {"Device.LocalAgent.Subscription.99.",
                                                                   "Device.LocalAgent.Subscription.[ID==\"none\"]."})));
    ASSERT_EQ(d.deleted_obj_results_size(), 2);
    for (const auto& r : d.deleted_obj_results()) {
      ASSERT_TRUE(r.oper_status().has_oper_success()) << r.requested_path();  // R-DEL.2a
      EXPECT_EQ(r.oper_status().oper_success().affected_paths_size(), 0);
    }
  }
}

TEST(HandleDelete, FixedInstancesAreRefused) {
  phone_model m;
  const auto err = m.must_answer(delete_req(false, {"Device.LocalAgent.Subscription.2."}));
  ASSERT_TRUE(err.body().has_error());
  EXPECT_EQ(err.body().error().err_code(), code(usp::err_code::invalid_arguments));
  ASSERT_EQ(err.body().error().param_errs_size(), 1);
  EXPECT_EQ(err.body().error().param_errs(0).param_path(), "Device.LocalAgent.Subscription.2.");
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::delete_failure));
  const auto& d = delete_resp(m.must_answer(delete_req(true, {"Device.LocalAgent.Subscription.2.",
                                                              "Device.LocalAgent.Controller.2.MTP.1."})));
  for (const auto& r : d.deleted_obj_results()) {
    EXPECT_EQ(r.oper_status().oper_failure().err_code(), code(usp::err_code::delete_failure)) << r.requested_path();
  }
  EXPECT_EQ(rows(m, "Device.LocalAgent.Subscription."), 1U);
  EXPECT_EQ(m.value("Device.LocalAgent.Controller.2.MTPNumberOfEntries"), "1");
}

TEST(HandleDelete, WithoutAllowPartialOneBadPathDeletesNothing) {
  phone_model m;
  const auto mine = subscribe(m, "Event", "Device.Boot!");
  ASSERT_EQ(mine, "Device.LocalAgent.Subscription.3.");
  const auto err = m.must_answer(delete_req(false, {mine, "Device.LocalAgent.Nothing."}));
  ASSERT_TRUE(err.body().has_error());
  ASSERT_EQ(err.body().error().param_errs_size(), 1);
  EXPECT_EQ(err.body().error().param_errs(0).param_path(), "Device.LocalAgent.Nothing.");  // TP 1.26
  EXPECT_EQ(err.body().error().param_errs(0).err_code(), code(usp::err_code::invalid_path));
  EXPECT_EQ(rows(m, "Device.LocalAgent.Subscription."), 2U);
}

TEST(HandleDelete, WithAllowPartialDeletableMatchesGoAndTheOthersAreListed) {
  phone_model m;
  m.notifications().controller_online(requester);
  const auto watcher = subscribe(m, "ObjectDeletion", "Device.LocalAgent.Subscription.");
  const auto mine = subscribe(m, "Event", "Device.Boot!");
  const auto& d = delete_resp(m.must_answer(delete_req(true, {"Device.LocalAgent.Subscription.[NotifType==\"Event\"].",
                                                              "Device.LocalAgent.Nothing.", "Device.LocalAgent.Subscription."})));
  ASSERT_EQ(d.deleted_obj_results_size(), 3);
  const auto& ok = d.deleted_obj_results(0).oper_status().oper_success();
  ASSERT_EQ(ok.affected_paths_size(), 1);
  EXPECT_EQ(ok.affected_paths(0), mine);  // with its trailing dot
  ASSERT_EQ(ok.unaffected_path_errs_size(), 1);  // R-DEL.3
  EXPECT_EQ(ok.unaffected_path_errs(0).unaffected_path(), "Device.LocalAgent.Subscription.2.");
  EXPECT_EQ(ok.unaffected_path_errs(0).err_code(), code(usp::err_code::delete_failure));
  EXPECT_EQ(d.deleted_obj_results(1).oper_status().oper_failure().err_code(), code(usp::err_code::invalid_path));
  EXPECT_EQ(d.deleted_obj_results(2).oper_status().oper_failure().err_code(), code(usp::err_code::object_does_not_exist));
  EXPECT_EQ(m.value(mine + "ID"), std::nullopt);
  EXPECT_EQ(notified(m), std::vector<std::string>{"deleted " + mine});
  EXPECT_NE(m.value(watcher + "ID"), std::nullopt);
}

// The same row named twice (or by a path and a search) is deleted once; the
// second entry finds nothing left to delete.
TEST(HandleDelete, ARowNamedTwiceIsDeletedOnce) {
  phone_model m;
  const auto a = subscribe(m, "Event", "Device.Boot!");
  const auto b = subscribe(m, "Event", "Device.Boot!");
  const auto& d = delete_resp(m.must_answer(delete_req(false, {a, a, "Device.LocalAgent.Subscription.[ID!=\"boot-2\"]."})));
  ASSERT_EQ(d.deleted_obj_results_size(), 3);
  const auto affected = [&](int i) {
    const auto& s = d.deleted_obj_results(i).oper_status().oper_success();
    return std::vector<std::string>(s.affected_paths().begin(), s.affected_paths().end());
  };
  EXPECT_EQ(affected(0), std::vector<std::string>{a});
  EXPECT_TRUE(affected(1).empty());
  EXPECT_EQ(affected(2), std::vector<std::string>{b});
  EXPECT_EQ(rows(m, "Device.LocalAgent.Subscription."), 1U);
}

}  // namespace
}  // namespace usp::agent::test
