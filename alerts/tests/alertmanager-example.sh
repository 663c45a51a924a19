#!/usr/bin/env bash
# What alerts/alertmanager.example.yml does with Bellwether's alerts: which receiver each reaches (amtool config
# routes test), and which tickets a page inhibits (a real Alertmanager on the file, alerts posted with amtool).
# .ci/run runs it after amtool check-config; SloAlertingIT also runs a real Alertmanager on the file, end to end.
set -euo pipefail
cd "$(dirname "$0")/../.."
config=alerts/alertmanager.example.yml

expect_receiver() {
  local receiver=$1
  shift
  amtool config routes test --config.file="$config" --verify.receivers="$receiver" "$@" >/dev/null 2>&1 \
    || { echo "expected receiver $receiver for: $*" >&2; exit 1; }
}

expect_receiver pager alertname=BellwetherSloErrorBudgetBurn app=shop slo=replays severity=page burn=fast
expect_receiver tickets alertname=BellwetherSloErrorBudgetBurn app=shop slo=replays severity=ticket burn=steady
# a critical journey's page: the same pager, its own receiver; a journey's ticket goes where every ticket goes
expect_receiver pager-journey alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=checkout journey=checkout severity=page burn=fast
expect_receiver tickets alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=notes journey=notes severity=ticket burn=fast
expect_receiver tickets alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=checkout journey=checkout severity=ticket burn=steady
expect_receiver pager alertname=BellwetherDatabaseDown severity=page
expect_receiver release-managers alertname=BellwetherKillSwitchTripped app=shop severity=notify
expect_receiver tickets alertname=SomethingWithoutSeverity

# Inhibitions, on a real Alertmanager (no gossip, a free port, its own storage; stopped on exit)
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
prometheus-alertmanager --config.file="$config" --storage.path="$data" --web.listen-address=127.0.0.1:"$port" \
  --cluster.listen-address= >"$data/log" 2>&1 &
alertmanager=$!
trap 'kill "$alertmanager" 2>/dev/null; wait "$alertmanager" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 50); do
  curl -sf "$url/-/ready" >/dev/null && break
  sleep 0.2
done
curl -sf "$url/-/ready" >/dev/null || { echo "Alertmanager did not start:" >&2; cat "$data/log" >&2; exit 1; }

fire() {
  amtool --alertmanager.url="$url" alert add "$@" >/dev/null 2>&1
}
fire alertname=BellwetherSloErrorBudgetBurn app=shop slo=replays severity=page burn=fast
fire alertname=BellwetherSloErrorBudgetBurn app=shop slo=replays severity=ticket burn=steady
fire alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=checkout journey=checkout severity=page burn=fast
fire alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=checkout journey=checkout severity=ticket burn=steady
# the same SLO after it moved to another journey, another journey's SLO, and a ticket without an slo label
fire alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=checkout journey=payment severity=ticket burn=steady
fire alertname=BellwetherJourneySloErrorBudgetBurn app=shop slo=notes journey=notes severity=ticket burn=steady
fire alertname=BellwetherDatabaseDown severity=page
fire alertname=BellwetherUnleashUnreachable severity=ticket

# each alert as "slo/journey/severity inhibited|active", sorted
states() {
  curl -sf "$url/api/v2/alerts" | python3 -c '
import json, sys
for alert in json.load(sys.stdin):
    labels = alert["labels"]
    state = "inhibited" if alert["status"]["inhibitedBy"] else "active"
    print("%s/%s/%s %s" % (labels.get("slo", labels["alertname"]), labels.get("journey", "-"), labels["severity"], state))
' | sort
}
expected="BellwetherDatabaseDown/-/page active
BellwetherUnleashUnreachable/-/ticket active
checkout/checkout/page active
checkout/checkout/ticket inhibited
checkout/payment/ticket active
notes/notes/ticket active
replays/-/page active
replays/-/ticket inhibited"
# the inhibitor learns of a page asynchronously: allow it a few seconds
for _ in $(seq 1 25); do
  got=$(states)
  [ "$got" = "$expected" ] && break
  sleep 0.2
done
if [ "$got" != "$expected" ]; then
  printf 'inhibitions differ; expected:\n%s\ngot:\n%s\n' "$expected" "$got" >&2
  exit 1
fi
echo "alertmanager example: routes and inhibitions as expected"
