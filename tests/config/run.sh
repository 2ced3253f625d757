#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configuration tests: Falco's stock falco.yaml and the older test configurations of
# ../shared/compat through frc's loader, -o overrides, effective behaviour, malformed input,
# and the daemon started with the stock falco.yaml. See config_test.py.
# Prints `RESULT: N passed, M failed, K skipped` last; non-zero exit on failure.
set -u
cd "$(dirname "$0")/../.."
exec "${PYTHON:-python3}" tests/config/config_test.py --build "${BUILD:-build}" "$@"
