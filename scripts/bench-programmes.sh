#!/usr/bin/env bash
# Exchange balance over 1,000,000 mobilities (SQLite, release build): generates 200
# partner institutions with one agreement each, 5 programmes per agreement with quotas,
# and 5,000 mobilities per agreement spread over 5 academic years, directions, kinds and
# statuses; fills mobility_counts with a GROUP BY (as the kept counts would be), then
#  - times GET /api/v1/agreements/{id}/balance (all years) and ?academic_year= with curl,
#    sequentially (p50/p99 over REQUESTS requests, default 300),
#  - times the same balance, and an office-wide total, as a fresh GROUP BY over
#    mobilities and over the counts in sqlite3, for comparison.
# Usage: scripts/bench-programmes.sh     (needs sqlite3 and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-300}
. scripts/lib/bench.sh
bench_build
bench_store programmes
sqlite=$data/liaison.sqlite3
start=$(date +%s.%N)
sqlite3 "$sqlite" <<'SQL'
BEGIN;
INSERT INTO institutions (name_en, country, is_home, created_at, updated_at) VALUES ('Home', 'CN', 1, 'x', 'x');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO institutions (name_en, country, created_at, updated_at) SELECT 'Partner ' || i, 'MY', 'x', 'x' FROM n;
INSERT INTO people (name_en, institution_id, created_at, updated_at) SELECT 'Participant ' || id, id, 'x', 'x' FROM institutions;
INSERT INTO agreements (kind, title, status, created_at, updated_at) SELECT 'exchange', 'Agreement ' || id, 'in_effect', 'x', 'x' FROM institutions WHERE is_home = 0;
INSERT INTO agreement_parties (agreement_id, institution_id) SELECT a.id, i.id FROM agreements a JOIN institutions i ON i.id = a.id + 1;
WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < 5)
INSERT INTO programmes (agreement_id, area, title, status, created_at, updated_at)
  SELECT a.id, 'student_exchange', 'Programme ' || a.id || '.' || j, 'active', 'x', 'x' FROM agreements a, k;
WITH RECURSIVE y(v) AS (SELECT 2020 UNION ALL SELECT v + 1 FROM y WHERE v < 2024)
INSERT INTO programme_quotas (programme_id, academic_year, direction, quota)
  SELECT p.id, v || '-' || (v + 1), d.x, 100 FROM programmes p, y, (SELECT 'inbound' AS x UNION ALL SELECT 'outbound') d;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999)
INSERT INTO mobilities (programme_id, person_id, partner_institution_id, participant_kind, direction, academic_year,
    start_date, end_date, status, created_at, updated_at)
  SELECT 1 + i % 1000, 2 + (i / 1000) % 200, 2 + ((i % 1000) / 5),
    CASE WHEN i % 7 = 0 THEN 'staff' ELSE 'student' END,
    CASE WHEN i % 3 = 0 THEN 'outbound' ELSE 'inbound' END,
    (2020 + (i / 1000) % 5) || '-' || (2021 + (i / 1000) % 5), '2020-09-01', '2021-01-31',
    CASE i % 10 WHEN 0 THEN 'withdrawn' WHEN 1 THEN 'nominated' WHEN 2 THEN 'accepted' WHEN 3 THEN 'in_progress' ELSE 'completed' END,
    'x', 'x' FROM n;
INSERT INTO mobility_counts (programme_id, partner_institution_id, academic_year, direction, participant_kind, status, n)
  SELECT programme_id, partner_institution_id, academic_year, direction, participant_kind, status, COUNT(*)
  FROM mobilities GROUP BY 1, 2, 3, 4, 5, 6;
COMMIT;
ANALYZE;
SQL
echo "generated in $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s: $(sqlite3 "$sqlite" 'SELECT COUNT(*) FROM mobilities') mobilities, $(sqlite3 "$sqlite" 'SELECT COUNT(*) FROM mobility_counts') count rows"
bench_serve staff
measure() {
  local url=$1
  curl -sf -H "Authorization: Bearer $token" "$url" >/dev/null
  for _ in $(seq "$REQUESTS"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"
  done | python3 -c 'import sys; t=sorted(float(x)*1000 for x in sys.stdin); n=len(t); print(f"p50 {t[n//2]:.2f} ms, p99 {t[min(n-1,int(n*0.99))]:.2f} ms over {n} requests")'
}
echo "balance, all years (agreement 100): $(measure "$base/api/v1/agreements/100/balance")"
echo "balance, one year:                  $(measure "$base/api/v1/agreements/100/balance?academic_year=2022-2023")"
echo "fresh GROUP BY over mobilities for the same agreement (sqlite3 .timer):"
sqlite3 "$sqlite" <<'SQL'
.timer on
SELECT m.academic_year, m.direction, COUNT(*) FROM mobilities m JOIN programmes p ON p.id = m.programme_id
 WHERE p.agreement_id = 100 AND m.status <> 'withdrawn' GROUP BY 1, 2;
SELECT c.academic_year, c.direction, SUM(c.n) FROM mobility_counts c JOIN programmes p ON p.id = c.programme_id
 WHERE p.agreement_id = 100 AND c.status <> 'withdrawn' GROUP BY 1, 2;
SQL
echo "office-wide inbound/outbound per year (all agreements): fresh GROUP BY, then the counts:"
sqlite3 "$sqlite" <<'SQL'
.timer on
SELECT academic_year, direction, COUNT(*) FROM mobilities WHERE status <> 'withdrawn' GROUP BY 1, 2;
SELECT academic_year, direction, SUM(n) FROM mobility_counts WHERE status <> 'withdrawn' GROUP BY 1, 2;
SQL
