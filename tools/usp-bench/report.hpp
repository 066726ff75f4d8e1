// One row of results: what usp-bench prints and writes to CSV.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace usp::bench {

struct process_figures {
  std::string name;
  double cpu_us_per_record = 0;
  std::uint64_t peak_rss_kib = 0;
};

struct result {
  std::string scenario;
  unsigned phones = 1;
  unsigned inflight = 1;
  double seconds = 0;
  std::uint64_t records = 0;   // completed round trips (or records, per scenario)
  std::uint64_t drops = 0;
  double rate_asked = -1;      // paced scenarios: the rate asked (0: unpaced); < 0: not a column
  std::vector<std::chrono::nanoseconds> latencies;
  std::vector<process_figures> processes;
};

// p in [0, 100]; nanoseconds.
double percentile_us(std::vector<std::chrono::nanoseconds>& samples, double p);

void print_header();
void print_row(result& r);
void append_csv(const std::string& path, result& r);

}  // namespace usp::bench
