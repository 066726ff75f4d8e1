// Asynchronous commands in flight: each has a Device.LocalAgent.Request.{i}.
// row while it runs (R-OPR.0/2), reports OperationComplete to subscribers
// when it ends, and may be cancelled (R-OPR.3: 7023).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "dm/tree.hpp"
#include "notify/notifier.hpp"

namespace usp::agent {

class operations {
 public:
  operations(boost::asio::any_io_executor ex, dm::data_model& dm, notifier& n);
  ~operations();
  operations(const operations&) = delete;
  operations& operator=(const operations&) = delete;

  // Starts `cmd` on `target`; returns the Request row's path.
  std::string start(const std::string& originator, dm::instance& target, const dm::command_def& cmd,
                    std::string command_key, std::map<std::string, std::string> inputs);
  dm::outcome cancel(std::uint32_t request_number);
  // Drops every operation (reboot): their rows go, no OperationComplete.
  void clear();
  std::size_t running() const noexcept { return running_.size(); }

 private:
  struct op {
    std::string target_path;
    std::string command_name;  // "ShowPage()"
    std::string command_key;
    std::shared_ptr<bool> canceled;
  };
  void finish(std::uint32_t number, const dm::command_result& result);
  void set_status(std::uint32_t number, const char* status);

  boost::asio::any_io_executor ex_;
  dm::data_model& dm_;
  notifier& notifier_;
  std::map<std::uint32_t, op> running_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace usp::agent
