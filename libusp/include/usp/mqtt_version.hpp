#pragma once

#include <cstdint>

namespace usp {

// MQTT protocol version, numbered as MQTTConnectRecord.MQTTVersion.
enum class mqtt_version : std::uint8_t { v3_1_1 = 0, v5 = 1 };

}  // namespace usp
