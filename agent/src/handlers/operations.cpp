#include "handlers/operations.hpp"

#include <boost/asio/post.hpp>

#include "usp/err_code.hpp"

namespace usp::agent {

namespace {
dm::instance& request_table_owner(dm::data_model& dm) {
  return *dm.root().child(*dm.supported().root().find_child("LocalAgent"));
}
const dm::object_def& request_def(dm::data_model& dm) {
  return *request_table_owner(dm).def().find_child("Request");
}
}  // namespace

operations::operations(boost::asio::any_io_executor ex, dm::data_model& dm, notifier& n)
    : ex_(std::move(ex)), dm_(dm), notifier_(n) {}

operations::~operations() {
  *alive_ = false;
  for (auto& [number, o] : running_) *o.canceled = true;
}

std::string operations::start(const std::string& originator, dm::instance& target, const dm::command_def& cmd,
                              std::string command_key, std::map<std::string, std::string> inputs) {
  const auto& rd = request_def(dm_);
  auto added = dm_.add(request_table_owner(dm_), rd);
  auto& row = *added.inst;
  const auto command_path = target.path() + cmd.name + "()";
  dm_.set(row, *rd.find_param("Originator"), originator, dm::change_origin::agent);
  dm_.set(row, *rd.find_param("Command"), command_path, dm::change_origin::agent);
  dm_.set(row, *rd.find_param("CommandKey"), command_key, dm::change_origin::agent);
  dm_.set(row, *rd.find_param("Status"), "Active", dm::change_origin::agent);
  dm_.created(row);
  const auto number = row.number();
  const auto path = row.path();
  auto canceled = std::make_shared<bool>(false);
  running_[number] = op{target.path(), cmd.name + "()", command_key, canceled};

  dm::command_call call;
  call.target = &target;
  call.command_path = command_path;
  call.command_key = std::move(command_key);
  call.inputs = std::move(inputs);
  call.originator = originator;
  call.canceled = canceled;
  // Completion is posted, so the OperateResp naming the Request row always
  // goes out before the OperationComplete that ends it.
  cmd.run(dm_, std::move(call), [this, number, alive = alive_](dm::command_result r) {
    boost::asio::post(ex_, [this, number, alive, r = std::move(r)] {
      if (*alive) finish(number, r);
    });
  });
  return path;
}

void operations::set_status(std::uint32_t number, const char* status) {
  const auto& rd = request_def(dm_);
  const auto* rows = request_table_owner(dm_).rows(rd);
  if (auto it = rows->find(number); it != rows->end()) {
    dm_.set(*it->second, *rd.find_param("Status"), status, dm::change_origin::agent);
  }
}

void operations::finish(std::uint32_t number, const dm::command_result& result) {
  auto it = running_.find(number);
  if (it == running_.end()) return;  // cancelled meanwhile
  const op o = it->second;
  running_.erase(it);
  set_status(number, result.status.ok() ? "Success" : "Error");
  notifier_.operation_complete(o.target_path, o.command_name, o.command_key, result);
  const auto& rd = request_def(dm_);
  const auto* rows = request_table_owner(dm_).rows(rd);
  if (auto row = rows->find(number); row != rows->end()) dm_.remove(*row->second, dm::change_origin::agent);
}

dm::outcome operations::cancel(std::uint32_t number) {
  if (!running_.count(number)) {
    return dm::outcome::error(usp::value(usp::err_code::command_failure), "the operation has already ended");
  }
  set_status(number, "Canceling");
  *running_[number].canceled = true;
  finish(number, {dm::outcome::error(usp::value(usp::err_code::command_canceled), "canceled by Request.Cancel()"), {}});
  return {};
}

void operations::clear() {
  const auto& rd = request_def(dm_);
  auto& owner = request_table_owner(dm_);
  for (const auto& [number, o] : running_) {
    *o.canceled = true;
    const auto* rows = owner.rows(rd);
    if (auto row = rows->find(number); row != rows->end()) dm_.remove(*row->second, dm::change_origin::agent);
  }
  running_.clear();
}

}  // namespace usp::agent
