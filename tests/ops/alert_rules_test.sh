#!/bin/sh
# The Prometheus files of docker/prometheus: the config and its rule file are valid
# (promtool check config, which also checks the rules it loads, and promtool check rules), and
# every alert fires when it should and stays silent when it should not (promtool test rules on
# tests/ops/alerts_test.yml).
#
#   alert_rules_test.sh REPOSITORY_ROOT
set -eu
root=${1:?usage: alert_rules_test.sh REPOSITORY_ROOT}
promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
  echo "promtool not found: install Debian's prometheus package (make deps-test does)" >&2
  exit 1
fi
"$promtool" check rules "$root/docker/prometheus/alerts.yml"
"$promtool" check config "$root/docker/prometheus/prometheus.yml"
"$promtool" test rules "$root/tests/ops/alerts_test.yml"
