// The human side of render.hpp: table-ish lines, errors with the spec's name
// of their code.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <vector>

#include "render.hpp"
#include "usp/err_code.hpp"

namespace usp::ctl {

namespace {

using row = std::pair<std::string, std::string>;

// Two columns, the first padded to its widest entry.
void print_rows(std::ostream& out, std::vector<row> rows, bool sort = true) {
  if (sort) std::sort(rows.begin(), rows.end());
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  for (const auto& [left, right] : rows) {
    out << left;
    if (!right.empty()) out << std::string(width - left.size() + 2, ' ') << right;
    out << '\n';
  }
}

std::string error_text(std::uint32_t code, const std::string& msg) {
  std::string s = "error " + std::to_string(code) + " (" + std::string(usp::describe(code)) + ")";
  if (!msg.empty()) s += ": " + msg;
  return s;
}

template <class Map>
std::string joined(const Map& m, const char* sep = " ") {
  std::vector<row> kv(m.begin(), m.end());
  std::sort(kv.begin(), kv.end());
  std::string s;
  for (const auto& [k, v] : kv) s += (s.empty() ? "" : sep) + k + "=" + v;
  return s;
}

void print_get(std::ostream& out, const usp::GetResp& g) {
  std::vector<row> rows;
  for (const auto& rpr : g.req_path_results()) {
    if (rpr.err_code() != 0) rows.emplace_back(rpr.requested_path(), error_text(rpr.err_code(), rpr.err_msg()));
    for (const auto& res : rpr.resolved_path_results()) {
      for (const auto& [k, v] : res.result_params()) rows.emplace_back(res.resolved_path() + k, v);
    }
  }
  print_rows(out, std::move(rows));
}

void print_set(std::ostream& out, const usp::SetResp& s) {
  std::vector<row> rows;
  for (const auto& r : s.updated_obj_results()) {
    const auto& st = r.oper_status();
    if (st.has_oper_failure()) {
      rows.emplace_back(r.requested_path(), error_text(st.oper_failure().err_code(), st.oper_failure().err_msg()));
      for (const auto& f : st.oper_failure().updated_inst_failures()) {
        for (const auto& e : f.param_errs()) rows.emplace_back(f.affected_path() + e.param(), error_text(e.err_code(), e.err_msg()));
      }
      continue;
    }
    for (const auto& i : st.oper_success().updated_inst_results()) {
      for (const auto& [k, v] : i.updated_params()) rows.emplace_back(i.affected_path() + k, v);
      for (const auto& e : i.param_errs()) rows.emplace_back(i.affected_path() + e.param(), error_text(e.err_code(), e.err_msg()));
    }
  }
  print_rows(out, std::move(rows));
}

void print_add(std::ostream& out, const usp::AddResp& a) {
  std::vector<row> rows;
  for (const auto& r : a.created_obj_results()) {
    const auto& st = r.oper_status();
    if (st.has_oper_failure()) {
      rows.emplace_back(r.requested_path(), error_text(st.oper_failure().err_code(), st.oper_failure().err_msg()));
      continue;
    }
    rows.emplace_back(st.oper_success().instantiated_path(), "created " + joined(st.oper_success().unique_keys()));
    for (const auto& e : st.oper_success().param_errs()) {
      rows.emplace_back(st.oper_success().instantiated_path() + e.param(), error_text(e.err_code(), e.err_msg()));
    }
  }
  print_rows(out, std::move(rows), false);
}

void print_delete(std::ostream& out, const usp::DeleteResp& d) {
  std::vector<row> rows;
  for (const auto& r : d.deleted_obj_results()) {
    const auto& st = r.oper_status();
    if (st.has_oper_failure()) {
      rows.emplace_back(r.requested_path(), error_text(st.oper_failure().err_code(), st.oper_failure().err_msg()));
      continue;
    }
    for (const auto& p : st.oper_success().affected_paths()) rows.emplace_back(p, "deleted");
    for (const auto& e : st.oper_success().unaffected_path_errs()) {
      rows.emplace_back(e.unaffected_path(), error_text(e.err_code(), e.err_msg()));
    }
    if (st.oper_success().affected_paths().empty() && st.oper_success().unaffected_path_errs().empty()) {
      rows.emplace_back(r.requested_path(), "nothing to delete");
    }
  }
  print_rows(out, std::move(rows), false);
}

void print_operate(std::ostream& out, const usp::OperateResp& o) {
  std::vector<row> rows;
  for (const auto& r : o.operation_results()) {
    if (r.has_cmd_failure()) {
      rows.emplace_back(r.executed_command(), error_text(r.cmd_failure().err_code(), r.cmd_failure().err_msg()));
    } else if (r.has_req_output_args()) {
      const auto args = joined(r.req_output_args().output_args());
      rows.emplace_back(r.executed_command(), args.empty() ? "done" : "done: " + args);
    } else {
      rows.emplace_back(r.executed_command(), "running as " + r.req_obj_path());
    }
  }
  print_rows(out, std::move(rows), false);
}

void print_instances(std::ostream& out, const usp::GetInstancesResp& g) {
  std::vector<row> rows;
  for (const auto& rpr : g.req_path_results()) {
    if (rpr.err_code() != 0) rows.emplace_back(rpr.requested_path(), error_text(rpr.err_code(), rpr.err_msg()));
    for (const auto& i : rpr.curr_insts()) rows.emplace_back(i.instantiated_obj_path(), joined(i.unique_keys()));
  }
  print_rows(out, std::move(rows));
}

const char* access_of(usp::GetSupportedDMResp::ObjAccessType a) {
  switch (a) {
    case usp::GetSupportedDMResp::OBJ_ADD_DELETE: return "add/delete";
    case usp::GetSupportedDMResp::OBJ_ADD_ONLY: return "add only";
    case usp::GetSupportedDMResp::OBJ_DELETE_ONLY: return "delete only";
    default: return "read-only";
  }
}

std::string param_text(const usp::GetSupportedDMResp::SupportedParamResult& p) {
  std::string type = usp::GetSupportedDMResp::ParamValueType_Name(p.value_type());
  if (type.rfind("PARAM_", 0) == 0) type = type.substr(6);
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const char* access = p.access() == usp::GetSupportedDMResp::PARAM_READ_WRITE   ? "read-write"
                       : p.access() == usp::GetSupportedDMResp::PARAM_WRITE_ONLY ? "write-only"
                                                                                 : "read-only";
  return type + " " + access;
}

template <class List>
std::string names(const List& l) {
  std::string s;
  for (const auto& n : l) s += (s.empty() ? "" : ",") + n;
  return s;
}

void print_supported_dm(std::ostream& out, const usp::GetSupportedDMResp& g) {
  std::vector<row> rows;
  for (const auto& r : g.req_obj_results()) {
    if (r.err_code() != 0) rows.emplace_back(r.req_obj_path(), error_text(r.err_code(), r.err_msg()));
    for (const auto& o : r.supported_objs()) {
      rows.emplace_back(o.supported_obj_path(), std::string("object ") + access_of(o.access()) +
                                                    (o.is_multi_instance() ? " multi-instance" : ""));
      for (const auto& p : o.supported_params()) rows.emplace_back("  " + p.param_name(), param_text(p));
      for (const auto& c : o.supported_commands()) {
        std::string t = c.command_type() == usp::GetSupportedDMResp::CMD_ASYNC ? "command async" : "command sync";
        if (!c.input_arg_names().empty()) t += " in: " + names(c.input_arg_names());
        if (!c.output_arg_names().empty()) t += " out: " + names(c.output_arg_names());
        rows.emplace_back("  " + c.command_name(), t);
      }
      for (const auto& e : o.supported_events()) {
        rows.emplace_back("  " + e.event_name(), "event" + (e.arg_names().empty() ? "" : " args: " + names(e.arg_names())));
      }
    }
  }
  print_rows(out, std::move(rows), false);
}

std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%H:%M:%S") << '.' << std::setw(3) << std::setfill('0') << ms;
  return s.str();
}

}  // namespace

void print_answer(std::ostream& out, const usp::Msg& msg) {
  const auto& b = msg.body();
  if (b.has_error()) {
    out << error_text(b.error().err_code(), b.error().err_msg()) << '\n';
    std::vector<row> rows;
    for (const auto& e : b.error().param_errs()) rows.emplace_back(e.param_path(), error_text(e.err_code(), e.err_msg()));
    print_rows(out, std::move(rows));
    return;
  }
  const auto& r = b.response();
  if (r.has_get_resp()) return print_get(out, r.get_resp());
  if (r.has_set_resp()) return print_set(out, r.set_resp());
  if (r.has_add_resp()) return print_add(out, r.add_resp());
  if (r.has_delete_resp()) return print_delete(out, r.delete_resp());
  if (r.has_operate_resp()) return print_operate(out, r.operate_resp());
  if (r.has_get_instances_resp()) return print_instances(out, r.get_instances_resp());
  if (r.has_get_supported_dm_resp()) return print_supported_dm(out, r.get_supported_dm_resp());
  if (r.has_get_supported_protocol_resp()) {
    out << r.get_supported_protocol_resp().agent_supported_protocol_versions() << '\n';
    return;
  }
  out << msg.ShortDebugString() << '\n';
}

void print_notify(std::ostream& out, const std::string& agent, const usp::Msg& msg) {
  const auto& n = msg.body().request().notify();
  out << now_text() << "  " << agent << "  ";
  if (n.has_event()) {
    out << n.event().obj_path() << n.event().event_name();
    const auto params = joined(n.event().params());
    if (!params.empty()) out << "  " << params;
  } else if (n.has_value_change()) {
    out << "ValueChange  " << n.value_change().param_path() << " = " << n.value_change().param_value();
  } else if (n.has_obj_creation()) {
    out << "ObjectCreation  " << n.obj_creation().obj_path() << "  " << joined(n.obj_creation().unique_keys());
  } else if (n.has_obj_deletion()) {
    out << "ObjectDeletion  " << n.obj_deletion().obj_path();
  } else if (n.has_oper_complete()) {
    const auto& oc = n.oper_complete();
    out << "OperationComplete  " << oc.obj_path() << oc.command_name() << "  key=" << oc.command_key() << "  ";
    if (oc.has_cmd_failure()) {
      out << error_text(oc.cmd_failure().err_code(), oc.cmd_failure().err_msg());
    } else {
      out << "done " << joined(oc.req_output_args().output_args());
    }
  } else if (n.has_on_board_req()) {
    const auto& o = n.on_board_req();
    out << "OnBoardRequest  oui=" << o.oui() << " product_class=" << o.product_class() << " serial=" << o.serial_number()
        << " versions=" << o.agent_supported_protocol_versions();
  }
  if (!n.subscription_id().empty()) out << "  [" << n.subscription_id() << "]";
  out << '\n';
}

}  // namespace usp::ctl
