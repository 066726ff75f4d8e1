#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace usp::bench {

double percentile_us(std::vector<std::chrono::nanoseconds>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size() - 1) + 0.5);
  return static_cast<double>(samples[std::min(idx, samples.size() - 1)].count()) / 1000.0;
}

void print_header() {
  std::printf("%-16s %7s %8s %12s %10s %10s %10s  %s\n", "scenario", "phones", "inflight", "records/s", "p50 us",
              "p99 us", "p99.9 us", "per process: CPU us/record, peak RSS");
}

void print_row(result& r) {
  const double rate = r.seconds > 0 ? static_cast<double>(r.records) / r.seconds : 0;
  std::printf("%-16s %7u %8u %12.0f %10.0f %10.0f %10.0f ", r.scenario.c_str(), r.phones, r.inflight, rate,
              percentile_us(r.latencies, 50), percentile_us(r.latencies, 99), percentile_us(r.latencies, 99.9));
  for (const auto& p : r.processes) {
    std::printf(" %s: %.1f us, %.1f MiB;", p.name.c_str(), p.cpu_us_per_record,
                static_cast<double>(p.peak_rss_kib) / 1024.0);
  }
  if (r.drops) std::printf(" drops %llu", static_cast<unsigned long long>(r.drops));
  std::printf("\n");
  std::fflush(stdout);
}

void append_csv(const std::string& path, result& r) {
  const bool fresh = !std::filesystem::exists(path);
  std::ofstream f(path, std::ios::app);
  if (fresh) {
    f << "scenario,phones,inflight," << (r.rate_asked >= 0 ? "rate_asked," : "")
      << "seconds,records,records_per_s,p50_us,p99_us,p999_us,drops";
    for (const auto& p : r.processes) f << "," << p.name << "_cpu_us_per_record," << p.name << "_peak_rss_kib";
    f << "\n";
  }
  const double rate = r.seconds > 0 ? static_cast<double>(r.records) / r.seconds : 0;
  f << r.scenario << "," << r.phones << "," << r.inflight << ",";
  if (r.rate_asked >= 0) f << r.rate_asked << ",";
  f << r.seconds << "," << r.records << "," << rate << ","
    << percentile_us(r.latencies, 50) << "," << percentile_us(r.latencies, 99) << ","
    << percentile_us(r.latencies, 99.9) << "," << r.drops;
  for (const auto& p : r.processes) f << "," << p.cpu_us_per_record << "," << p.peak_rss_kib;
  f << "\n";
}

}  // namespace usp::bench
