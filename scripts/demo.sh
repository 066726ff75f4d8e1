#!/usr/bin/env bash
# The README's first command: a broker with the plugin, the gateway, phones and
# a controller doing real management round trips. (Being built: see README.)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: coming. The foundation (libusp, both MTPs, usp-ctl decode/encode) is in place;"
echo "the phone agent, broker plugin and gateway follow. Meanwhile try:"
echo "  scripts/test.sh"
echo "  build/release/tools/usp-ctl/usp-ctl decode ../shared/vectors/boot-notify.bin"
