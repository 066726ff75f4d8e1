#include "verbs.hpp"

#include <unistd.h>

#include <ostream>

#include "codec_verbs.hpp"
#include "conversation.hpp"
#include "render.hpp"
#include "requests.hpp"
#include "verb_args.hpp"

namespace usp::ctl {

namespace {

bool is_notify(const received_record& r) { return r.msg && r.msg->body().request().has_notify(); }

// msg_ids unique across usp-ctl runs, so an agent never takes a request for
// a duplicate of an earlier one (R-MSG.4).
usp::Msg stamped(usp::Msg m) {
  m.mutable_header()->set_msg_id("usp-ctl-" + std::to_string(::getpid()) + "-" + m.header().msg_id());
  return m;
}

// What a wait that did not end well means for the exit code.
int report(wait_result res, const conversation& c, const std::string& what, std::ostream& err) {
  switch (res) {
    case wait_result::done: return exit_ok;
    case wait_result::interrupted: return exit_ok;
    case wait_result::failed:
      err << "usp-ctl: " << (c.failure().empty() ? "cannot send to " + c.agent() : c.failure()) << "\n";
      return exit_usage;
    case wait_result::timed_out:
      err << "usp-ctl: timed out after " << c.timeout().count() / 1000.0 << " s " << what << "\n";
      return exit_timeout;
  }
  return exit_usage;
}

class verb_run {
 public:
  verb_run(conversation& c, const verb_request& v, std::ostream& out, std::ostream& err)
      : c_(c), v_(v), out_(out), err_(err) {}

  int watch(const std::string& only) {
    std::size_t seen = 0;
    while (v_.count == 0 || seen < v_.count) {
      received_record r;
      const auto timeout = v_.count ? std::optional(c_.timeout()) : std::nullopt;
      const auto res = c_.next([&](const received_record& rec) {
        return is_notify(rec) && (only.empty() || rec.record.from_id() == only);
      }, r, timeout);
      if (res == wait_result::interrupted) return exit_ok;
      if (res != wait_result::done) return report(res, c_, "waiting for notifications", err_);
      if (v_.json) {
        out_ << notify_json(r.record.from_id(), *r.msg) << std::endl;
      } else {
        print_notify(out_, r.record.from_id(), *r.msg);
        out_.flush();
      }
      ++seen;
    }
    return exit_ok;
  }

  int request(const usp::Msg& req) {
    usp::Msg resp;
    auto res = c_.request(stamped(req), resp);
    if (res != wait_result::done) return report(res, c_, "waiting for " + c_.agent() + " to answer", err_);
    if (v_.name == "operate" && v_.wait) {
      if (!answer_failed(resp)) return operate_wait(resp);
      unsubscribe();
    }
    show(resp, nullptr);
    return answer_failed(resp) ? exit_agent_error : exit_ok;
  }

  // --wait: a subscription first, so the OperationComplete comes to us.
  int operate(const usp::Msg& req) {
    if (!v_.wait) return request(req);
    sub_id_ = "usp-ctl-" + std::to_string(::getpid());
    usp::Msg resp;
    auto sub = add_msg("Device.LocalAgent.Subscription.", {{"ID", sub_id_},
                                                           {"NotifType", "OperationComplete"},
                                                           {"ReferenceList", v_.args[0]},
                                                           {"Enable", "true"},
                                                           {"Persistent", "false"}});
    auto res = c_.request(stamped(sub), resp);
    if (res != wait_result::done) return report(res, c_, "subscribing to OperationComplete", err_);
    if (answer_failed(resp)) {
      err_ << "usp-ctl: cannot subscribe to OperationComplete:\n";
      print_answer(err_, resp);
      return exit_agent_error;
    }
    sub_path_ = resp.body().response().add_resp().created_obj_results(0).oper_status().oper_success().instantiated_path();
    return request(req);
  }

 private:
  void show(const usp::Msg& resp, const usp::Msg* completion) {
    if (v_.json) {
      out_ << answer_json(c_.agent(), resp, completion) << std::endl;
      return;
    }
    print_answer(out_, resp);
    if (completion) print_notify(out_, c_.agent(), *completion);
  }

  int operate_wait(const usp::Msg& resp) {
    // TR-181: Reboot() and FactoryReset() answer at once and finish with the
    // Boot! that carries their CommandKey.
    const auto& cmd = v_.args[0];
    bool pending = cmd.ends_with("Reboot()") || cmd.ends_with("FactoryReset()");
    for (const auto& r : resp.body().response().operate_resp().operation_results()) {
      pending = pending || (!r.has_req_output_args() && !r.has_cmd_failure());
    }
    if (!pending) {  // a synchronous command: the answer is the result
      unsubscribe();
      show(resp, nullptr);
      return exit_ok;
    }
    // R-OPR.0: the result of an asynchronous command comes as OperationComplete;
    // one that restarts the device (Reboot(), FactoryReset(), Activate())
    // ends with the Boot! that carries our CommandKey (TR-181 Device.Boot!).
    const auto key = command_key_of(v_);
    received_record done;
    const auto res = c_.next([&](const received_record& r) {
      if (!is_notify(r) || r.record.from_id() != c_.agent()) return false;
      const auto& n = r.msg->body().request().notify();
      if (n.has_oper_complete()) return n.oper_complete().command_key() == key;
      if (n.has_event() && n.event().event_name() == "Boot!") {
        const auto it = n.event().params().find("CommandKey");
        return it != n.event().params().end() && it->second == key;
      }
      return false;
    }, done, c_.timeout());
    if (res != wait_result::done) {
      show(resp, nullptr);
      return report(res, c_, "waiting for the command to complete", err_);
    }
    // After a Boot! the (non-persistent) subscription is gone, and its
    // number may already be someone else's.
    if (done.msg->body().request().notify().has_oper_complete()) unsubscribe();
    show(resp, &*done.msg);
    return answer_failed(*done.msg) ? exit_agent_error : exit_ok;
  }

  void unsubscribe() {
    if (sub_path_.empty()) return;
    usp::Msg ignored;
    c_.request(stamped(delete_msg({sub_path_}, true)), ignored);
  }

  conversation& c_;
  const verb_request& v_;
  std::ostream& out_;
  std::ostream& err_;
  std::string sub_id_;
  std::string sub_path_;  // the subscription --wait added
};

}  // namespace

int run_verb(const link_options& lo, const verb_request& v, std::ostream& out, std::ostream& err) {
  std::optional<usp::Msg> req;
  if (v.name != "watch") {
    std::string problem;
    req = build_request(v, problem);
    if (!req) {
      err << "usp-ctl: " << problem << "\n";
      return exit_usage;
    }
  }
  boost::asio::io_context io;
  std::unique_ptr<agent_link> link;
  try {
    link = make_agent_link(io.get_executor(), lo);
    link->start();
  } catch (const std::exception& e) {
    err << "usp-ctl: " << e.what() << "\n";
    return exit_usage;
  }
  if (const auto w = link->where(); !w.empty()) err << "usp-ctl: " << w << std::endl;
  int rc = exit_ok;
  {
    conversation c(io, *link, lo.timeout);
    verb_run run(c, v, out, err);
    if (v.name == "watch") {
      const auto res = c.open();
      if (res == wait_result::done) {
        err << "usp-ctl: watching for notifications" << std::endl;
        rc = run.watch(lo.to);
      } else {
        rc = report(res, c, "connecting", err);
      }
    } else {
      const auto res = c.reach_agent();
      if (res != wait_result::done) {
        rc = report(res, c, lo.to.empty() ? "waiting for an agent" : "reaching " + lo.to, err);
      } else {
        rc = v.name == "operate" ? run.operate(*req) : run.request(*req);
      }
    }
  }
  link->stop();
  // Let the goodbyes (MQTT DISCONNECT, WebSocket close) go out.
  io.run_for(std::chrono::milliseconds(100));
  return rc;
}

}  // namespace usp::ctl
