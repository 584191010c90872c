#!/usr/bin/env bash
# Public news site benchmark: a published article with photos and credits (the seed
# story's text, through the API and the whole editorial chain) and ten more articles,
# then wrk -t2 -c32 against
#  - the article page (one browser visitor, and a new visitor on every request so that
#    every request is counted and written by the view flusher),
#  - /news (the first list page) and /news/feed.atom,
# and the same bytes saved as static files served by nginx, in the same run.
# Usage: scripts/bench-news.sh                          (SQLite)
#        scripts/bench-news.sh --postgres [ADMIN_URL]   (PostgreSQL, a throwaway database)
# Set DURATION (default 10s) and CONNS (default 32). Needs wrk and nginx (Debian
# packages; installed here when running as root — benchmarks only, never in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
. scripts/lib/bench.sh

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "bench-news: missing: $* — install them (Debian: sudo apt-get install $*) and run again" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v wrk >/dev/null || apt_install wrk
[ -x /usr/sbin/nginx ] || apt_install nginx

bench_build
bench_store news "$@"
for who in "qin.lijuan|Qin Lijuan|author" "peng.gaoliang|Peng Gaoliang|translator" "tang.mei|Tang Mei|proofreader" "lin.na|Lin Na|reviewer"; do
  IFS='|' read -r user name role <<<"$who"
  "$bin" user add "$user" --display-name "$name" --role "$role" --password-stdin <<<"bench password 1" >/dev/null
done
author=$("$bin" user token qin.lijuan)
translator=$("$bin" user token peng.gaoliang)
proofreader=$("$bin" user token tang.mei)
reviewer=$("$bin" user token lin.na)
bench_serve viewer

api() { # METHOD TOKEN PATH [JSON]
  curl -sf -X "$1" -H "Authorization: Bearer $2" -H 'content-type: application/json' "$base$3" ${4:+--data-binary "$4"}
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
steps() { # ID TOKEN… : one submit per token
  local id=$1
  shift
  for t in "$@"; do api POST "$t" "/api/v1/articles/$id/steps" '{"action":"submit"}' >/dev/null; done
}

# The seed story's article: Chinese original, the English release as its translation.
fixture=../shared/fixtures/iukl-visit-2024-05-08.en.txt
[ -f "$fixture" ] || fixture=/dev/null
new=$(python3 - "$fixture" <<'EOF'
import json, sys
# The release's paragraphs without its title line and its "May 24, 2024click:" line (the
# page prints title, date and views itself).
lines = open(sys.argv[1], encoding="utf-8").read().strip().splitlines()[1:]
text = "\n".join(l for l in lines if "click:" not in l).strip() or "President Ma Shaojian met the delegation."
body_zh = "马来西亚吉隆坡基础设施大学副校长陈志辉一行四人来访我校，校长马绍坚会见代表团。\n\n" * 6
print(json.dumps({"original_lang": "zh", "slug": "iukl-delegation-visit", "tags": ["visits", "malaysia"],
                  "original": {"title": "马来西亚吉隆坡基础设施大学代表团来访", "summary": "代表团来访，双方就国际教育合作达成共识。", "body": body_zh},
                  "en": {"title": "IUKL delegation visits the university", "summary": "A delegation of four from IUKL visited; both sides reached a consensus on cooperation.", "body": text}}))
EOF
)
id=$(api POST "$author" /api/v1/articles "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.pop("en"); print(json.dumps(d))' "$new")" | field id)
photo_sql="INSERT INTO article_photos (article_id, position, file_key, content_type, width, height, widths, bytes, sha256, photographer_name, caption_zh, caption_en, created_at, created_by)
 VALUES ($id, 0, 'news/$id/1', 'image/jpeg', 1600, 1067, '480,960,1600', 250000, 'bench', 'Xiao Jia', '马绍坚校长会见代表团', 'President Ma Shaojian meets the delegation', '2024-05-24T02:00:00.000000Z', 'bench'),
        ($id, 1, 'news/$id/2', 'image/jpeg', 1600, 1067, '480,960,1600', 250000, 'bench', 'Xiao Jia', '座谈会现场', 'The symposium in conference room 1507', '2024-05-24T02:00:00.000000Z', 'bench')"
if [ "$engine" = postgresql ]; then
  psql -q "$LIAISON_DATABASE_URL" -c "$photo_sql"
else
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$data/liaison.sqlite3" "$photo_sql"
fi
steps "$id" "$author"
api POST "$translator" "/api/v1/articles/$id/versions/en" "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["en"]))' "$new")" >/dev/null
steps "$id" "$translator" "$proofreader" "$reviewer"
api POST "$reviewer" "/api/v1/articles/$id/steps" '{"action":"publish","publish_at":"2024-05-24T10:00:00+08:00"}' >/dev/null
# Ten more (English only) so the list and the feed are full.
for n in $(seq 1 10); do
  body="{\"original_lang\":\"en\",\"required_langs\":[\"en\"],\"tags\":[\"exchange\"],\"original\":{\"title\":\"Exchange news $n\",\"summary\":\"Students and staff on exchange, part $n.\",\"body\":\"$(printf 'A paragraph of news text, part %s. ' $(seq 1 40))\"}}"
  other=$(api POST "$author" /api/v1/articles "$body" | field id)
  steps "$other" "$author" "$proofreader" "$reviewer"
  api POST "$reviewer" "/api/v1/articles/$other/steps" "{\"action\":\"publish\",\"publish_at\":\"2024-04-$(printf %02d "$n")T10:00:00+08:00\"}" >/dev/null
done

# The same bytes as static files for nginx.
www=$data/www
mkdir -p "$www"
# nginx's workers run as nobody: the throwaway data directory (mktemp, 0700) must let them in.
chmod a+rx "$data" "$www"
article=/news/iukl-delegation-visit?lang=en
curl -sf "$base$article" -o "$www/article.html"
curl -sf "$base/news?lang=en" -o "$www/list.html"
curl -sf "$base/news/feed.atom?lang=en" -o "$www/feed.atom"
chmod a+r "$www"/*
grep -q '<dt>Translator</dt><dd>Peng Gaoliang</dd>' "$www/article.html" || { echo "article page lacks its credits" >&2; exit 1; }
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$data/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $data/nginx.pid;
error_log $data/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { text/html html; application/atom+xml atom; }
  server { listen 127.0.0.1:$nport; root $www; }
}
EOF
/usr/sbin/nginx -c "$data/nginx.conf" -p "$data" &
npid=$!
trap 'kill $npid 2>/dev/null || true; bench_cleanup' EXIT
for _ in $(seq 500); do curl -sf "http://127.0.0.1:$nport/list.html" >/dev/null && break; sleep 0.01; done
curl -sf "http://127.0.0.1:$nport/list.html" >/dev/null || { echo "nginx does not serve $www (see $data/nginx-error.log)" >&2; exit 1; }

cat >"$data/visitors.lua" <<'EOF'
-- A new visitor (user agent) on every request, distinct across wrk's threads.
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", nil, { ["User-Agent"] = "Mozilla/5.0 (bench visitor " .. tid .. "-" .. n .. ")" })
end
EOF

ua='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
run() { # LABEL URL [wrk args…]
  local label=$1 url=$2
  shift 2
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "User-Agent: $ua" "$@" "$url")
  printf '| %-44s | %10s | %8s | %8s |\n' "$label" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
  grep -E "Non-2xx|Socket errors" <<<"$out" >&2 || true
}
views() { api GET "$token" "/api/v1/articles/$id" | field view_count; }
echo "engine: $engine, wrk -t2 -c$CONNS, $DURATION per line, article page $(wc -c <"$www/article.html") bytes"
echo "| what | req/s | p50 | p99 |"
echo "| --- | ---: | ---: | ---: |"
run "article page, Liaison (one visitor)" "$base$article"
run "article page, nginx static file" "http://127.0.0.1:$nport/article.html"
before=$(views)
run "article page, Liaison (a new visitor each request)" "$base$article" -s "$data/visitors.lua"
sleep 3
after=$(views)
run "/news, Liaison" "$base/news?lang=en"
run "/news, nginx static file" "http://127.0.0.1:$nport/list.html"
run "/news/feed.atom, Liaison" "$base/news/feed.atom?lang=en"
run "/news/feed.atom, nginx static file" "http://127.0.0.1:$nport/feed.atom"
echo "views counted during the new-visitor run: $((after - before)) (written by the flusher within 3 s of the run's end)"
printf 'RSS after load: %.1f MiB\n' "$(awk '/VmRSS/ {print $2/1024}' /proc/$pid/status)"
