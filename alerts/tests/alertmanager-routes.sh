#!/usr/bin/env bash
# Which receiver each of Bellwether's alerts reaches under alerts/alertmanager.example.yml (amtool config routes
# test); .ci/run runs it after amtool check-config. Inhibitions are exercised by a real Alertmanager in SloAlertingIT.
set -euo pipefail
cd "$(dirname "$0")/../.."
config=alerts/alertmanager.example.yml

expect() {
  local receiver=$1
  shift
  amtool config routes test --config.file="$config" --verify.receivers="$receiver" "$@" >/dev/null 2>&1 \
    || { echo "expected receiver $receiver for: $*" >&2; exit 1; }
}

expect pager alertname=BellwetherSloErrorBudgetBurn app=shop slo=replays severity=page burn=fast
expect tickets alertname=BellwetherSloErrorBudgetBurn app=shop slo=replays severity=ticket burn=steady
# a critical journey's page: the same pager, its own receiver; a journey's ticket goes where every ticket goes
expect pager-journey alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=checkout journey=checkout severity=page burn=fast
expect tickets alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=notes journey=notes severity=ticket burn=fast
expect tickets alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=checkout journey=checkout severity=ticket burn=steady
expect pager alertname=BellwetherDatabaseDown severity=page
expect release-managers alertname=BellwetherKillSwitchTripped app=shop severity=notify
expect tickets alertname=SomethingWithoutSeverity
echo "alertmanager routes: ok"
