//go:build bench

// Package sharing measures, on both engines, whether a snapshot generation
// can share the rows of untouched agreements instead of copying them
// (bench/README.md, "Sharing untouched rows between generations"). It is a
// measurement, not a test of sinergi: the build tag keeps it out of `make
// test`. Run it alone:
//
//	nice -n 10 go test -tags bench -count=1 -v -timeout 30m ./bench/sharing
//
// SINERGI_BENCH_ROWS (default 3,000,000) sets the rows of the synthetic
// realisations table (24 per agreement, as the national register), and
// SINERGI_BENCH_BUCKETS (default 256) the hash buckets of agreement_id. It
// logs "TIME" lines for what a publish of 100 spread agreements writes in
// each layout ((a) today's copy, (b) hard links of a whole partition, (c)
// bucket partitions, (d) and (g) one table per generation partitioned by
// bucket, (e) an overlay of agreement versions, (f) hard links then a
// DELETE) and "READ" lines for three reads of each layout (best of 3), and
// fails if two layouts answer differently.
package sharing_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/clickhouse/clickhousetest"
)

func TestMain(m *testing.M) { os.Exit(clickhousetest.Main(m)) }

const columns = `agreement_id String, village_code String, month Date, value Decimal(18, 2), beneficiaries UInt32, outputs String`

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

func TestSharing(t *testing.T) {
	rows := envInt(t, "SINERGI_BENCH_ROWS", 3_000_000)
	buckets := envInt(t, "SINERGI_BENCH_BUCKETS", 256)
	agreements := rows / 24
	clickhousetest.ForEachEngine(t, func(t *testing.T, e clickhousetest.Engine) {
		cfg := clickhousetest.Config(t)
		cfg.QueryTimeout, cfg.WriteTimeout = 10*time.Minute, 10*time.Minute
		db := e.OpenDB(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
		defer cancel()
		s := &session{t: t, db: db, ctx: ctx}

		// 100 touched agreements spread over the nation, as bench/publish.sh's
		// national scenario; their ids go in as literals (numbers made here).
		var ids []string
		for i := 0; i < 100; i++ {
			ids = append(ids, fmt.Sprintf("'SIN-%d'", 1_000_000+i*(agreements/100)))
		}
		touched := "(" + strings.Join(ids, ",") + ")"
		source := fmt.Sprintf(`SELECT concat('SIN-', toString(1000000 + intDiv(number, 24))) AS agreement_id,
			toString(number %% 83000) AS village_code, addMonths(toDate('2020-01-01'), toInt32(number %% 24)) AS month,
			toDecimal64(number %% 100000, 2) AS value, toUInt32(number %% 50) AS beneficiaries, 'output' AS outputs
			FROM system.numbers LIMIT %d`, rows)

		// Today's layout: one partition per generation.
		s.exec("", `CREATE TABLE flat (generation UInt64, `+columns+`) ENGINE = MergeTree()
			PARTITION BY generation ORDER BY (agreement_id, month, village_code)`)
		s.exec("load generation 1", `INSERT INTO flat SELECT 1, * FROM (`+source+`)`)
		want := s.count(`SELECT count() FROM flat WHERE generation = 1 AND agreement_id NOT IN ` + touched)

		// (a) today: the next generation copies the untouched agreements' rows.
		s.exec("(a) copy the untouched rows into generation 2 (today)", `INSERT INTO flat SELECT 2, `+
			`agreement_id, village_code, month, value, beneficiaries, outputs FROM flat WHERE generation = 1 AND agreement_id NOT IN `+touched)
		s.expect(`SELECT count() FROM flat WHERE generation = 2`, want)

		// (b) hard links: a whole national partition attached from another table.
		s.exec("", `CREATE TABLE flat_linked AS flat`)
		s.exec("(b) ALTER TABLE … REPLACE PARTITION 1 FROM (hard links, whole partition)", `ALTER TABLE flat_linked REPLACE PARTITION 1 FROM flat`)
		s.expect(`SELECT count() FROM flat_linked WHERE generation = 1`, s.count(`SELECT count() FROM flat WHERE generation = 1`))
		s.exec("", `CREATE TABLE flat_attached AS flat`)
		s.exec("(b) ALTER TABLE … ATTACH PARTITION 1 FROM (hard links, whole partition)", `ALTER TABLE flat_attached ATTACH PARTITION 1 FROM flat`)
		s.expect(`SELECT count() FROM flat_attached`, s.count(`SELECT count() FROM flat WHERE generation = 1`))

		// (f) hard links, then the touched agreements' rows deleted from the
		// linked copy: a mutation (the only DELETE 18.16 has) rewrites every
		// part that holds one of them.
		s.exec("(f) ALTER TABLE … DELETE WHERE touched, on the linked copy (start)", `ALTER TABLE flat_linked DELETE WHERE agreement_id IN `+touched)
		start := time.Now()
		for s.count(`SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table = 'flat_linked' AND NOT is_done`) > 0 {
			if time.Since(start) > 5*time.Minute {
				s.t.Fatal("the mutation is not done after 5 minutes")
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("TIME %-70s %8.3f s", "(f) … until the mutation is done", time.Since(start).Seconds())
		s.expect(`SELECT count() FROM flat_linked`, want)
		if s.count(`SELECT count() FROM system.settings WHERE name = 'lightweight_deletes_sync'`) > 0 {
			s.exec("", `CREATE TABLE flat_light AS flat`)
			s.exec("", `ALTER TABLE flat_light REPLACE PARTITION 1 FROM flat`)
			s.exec("(f) chDB only: lightweight DELETE FROM on a linked copy", `DELETE FROM flat_light WHERE agreement_id IN `+touched)
			s.expect(`SELECT count() FROM flat_light`, want)
		}

		// (c) buckets: partitions (bucket, generation); a generation writes only
		// the buckets it touches, the others stay the partition of an older
		// generation, and a manifest of (bucket, generation) pairs names them.
		// 18.16 has no bound on the partitions of one insert; chDB bounds them
		// at 100 unless told otherwise.
		manyPartitions := ""
		if s.count(`SELECT count() FROM system.settings WHERE name = 'max_partitions_per_insert_block'`) > 0 {
			manyPartitions = " SETTINGS max_partitions_per_insert_block = 0"
		}
		bucketExpr := fmt.Sprintf("toUInt16(cityHash64(agreement_id) %% %d)", buckets)
		s.exec("", `CREATE TABLE bucketed (bucket UInt16, generation UInt64, `+columns+`) ENGINE = MergeTree()
			PARTITION BY (bucket, generation) ORDER BY (agreement_id, month, village_code)`)
		s.exec("(c) load generation 1 into bucket partitions", `INSERT INTO bucketed SELECT `+bucketExpr+`, 1, `+
			`agreement_id, village_code, month, value, beneficiaries, outputs FROM flat WHERE generation = 1`+manyPartitions)
		touchedBuckets := s.count(`SELECT uniqExact(` + bucketExpr + `) FROM flat WHERE generation = 1 AND agreement_id IN ` + touched)
		t.Logf("%d of %d buckets touched by the 100 agreements", touchedBuckets, buckets)
		s.exec("(c) copy the untouched rows of the touched buckets into generation 2", `INSERT INTO bucketed SELECT bucket, 2, `+
			`agreement_id, village_code, month, value, beneficiaries, outputs FROM bucketed
			WHERE generation = 1 AND bucket IN (SELECT `+bucketExpr+` FROM flat WHERE generation = 1 AND agreement_id IN `+touched+`)
			AND agreement_id NOT IN `+touched+manyPartitions)
		manifest := s.manifest(`SELECT bucket, max(generation) FROM bucketed GROUP BY bucket ORDER BY bucket`)
		s.expect(`SELECT count() FROM bucketed WHERE (bucket, generation) IN `+manifest+` AND agreement_id NOT IN `+touched, want)

		// (d) buckets, one table per generation: the untouched buckets hard-linked
		// one ALTER each (the statement takes one partition).
		s.exec("", `CREATE TABLE per_gen_1 (bucket UInt16, `+columns+`) ENGINE = MergeTree()
			PARTITION BY bucket ORDER BY (agreement_id, month, village_code)`)
		s.exec("", `INSERT INTO per_gen_1 SELECT bucket, agreement_id, village_code, month, value, beneficiaries, outputs
			FROM bucketed WHERE generation = 1`+manyPartitions)
		s.exec("", `CREATE TABLE per_gen_2 AS per_gen_1`)
		var untouched []int
		s.scan(`SELECT DISTINCT bucket FROM per_gen_1 WHERE bucket NOT IN (SELECT `+bucketExpr+` FROM flat WHERE generation = 1 AND agreement_id IN `+touched+`) ORDER BY bucket`, &untouched)
		start = time.Now()
		for _, b := range untouched {
			s.exec("", fmt.Sprintf(`ALTER TABLE per_gen_2 REPLACE PARTITION %d FROM per_gen_1`, b))
		}
		t.Logf("TIME %-70s %8.3f s (%d ALTERs, %.1f ms each)", "(d) hard-link the untouched buckets, one REPLACE PARTITION each",
			time.Since(start).Seconds(), len(untouched), time.Since(start).Seconds()*1000/float64(max(1, len(untouched))))
		s.expect(`SELECT count() FROM per_gen_2`, s.count(`SELECT count() FROM per_gen_1 WHERE bucket IN (`+intList(untouched)+`)`))

		// (g) one table per generation partitioned by bucket: every bucket
		// hard-linked, then the touched agreements deleted by a mutation — does
		// the mutation rewrite only the touched buckets' parts?
		s.exec("", `CREATE TABLE per_gen_3 AS per_gen_1`)
		var all []int
		s.scan(`SELECT DISTINCT bucket FROM per_gen_1 ORDER BY bucket`, &all)
		start = time.Now()
		for _, b := range all {
			s.exec("", fmt.Sprintf(`ALTER TABLE per_gen_3 REPLACE PARTITION %d FROM per_gen_1`, b))
		}
		t.Logf("TIME %-70s %8.3f s (%d ALTERs)", "(g) hard-link every bucket into the next generation's table", time.Since(start).Seconds(), len(all))
		s.exec("(g) ALTER TABLE … DELETE WHERE touched (start)", `ALTER TABLE per_gen_3 DELETE WHERE agreement_id IN `+touched)
		start = time.Now()
		for s.count(`SELECT count() FROM system.mutations WHERE database = currentDatabase() AND table = 'per_gen_3' AND NOT is_done`) > 0 {
			if time.Since(start) > 5*time.Minute {
				s.t.Fatal("the mutation is not done after 5 minutes")
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("TIME %-70s %8.3f s", "(g) … until the mutation is done", time.Since(start).Seconds())
		s.expect(`SELECT count() FROM per_gen_3`, want)

		// (e) base + overlay: only the touched agreements' rows are written, and
		// reads pick each agreement's newest version at or below the pinned one.
		s.exec("", `CREATE TABLE versions (agreement_id String, generation UInt64) ENGINE = MergeTree() ORDER BY agreement_id`)
		s.exec("", `INSERT INTO versions SELECT DISTINCT agreement_id, 1 FROM flat WHERE generation = 1`)
		s.exec("", `INSERT INTO versions SELECT DISTINCT agreement_id, 2 FROM flat WHERE generation = 1 AND agreement_id IN `+touched)
		s.exec("", `CREATE TABLE overlay AS flat`)
		s.exec("", `ALTER TABLE overlay ATTACH PARTITION 1 FROM flat`)
		s.exec("(e) overlay: write only the touched agreements' rows as generation 2", `INSERT INTO overlay SELECT 2, `+
			`agreement_id, village_code, month, value, beneficiaries, outputs FROM flat WHERE generation = 1 AND agreement_id IN `+touched)
		newest := `(agreement_id, generation) IN (SELECT agreement_id, max(generation) FROM versions WHERE generation <= 2 GROUP BY agreement_id)`
		s.expect(`SELECT count() FROM overlay WHERE `+newest+` AND agreement_id NOT IN `+touched, want)

		// (h) base + delta: the overlay table read as a full base generation
		// less the agreements changed since it, plus the delta generation that
		// holds only those agreements' rows (a small set, not a per-row pick).
		delta := `((generation = 1 AND agreement_id NOT IN (SELECT agreement_id FROM versions WHERE generation = 2)) OR generation = 2)`
		s.expect(`SELECT count() FROM overlay WHERE `+delta+` AND agreement_id NOT IN `+touched, want)

		// Reads: the same answers from each layout, each the best of 3.
		total := s.count(`SELECT count() FROM flat WHERE generation = 2`) + s.count(`SELECT count() FROM flat WHERE generation = 1 AND agreement_id IN `+touched)
		s.exec("", `INSERT INTO flat SELECT 2, agreement_id, village_code, month, value, beneficiaries, outputs FROM flat WHERE generation = 1 AND agreement_id IN `+touched)
		s.exec("", `INSERT INTO bucketed SELECT bucket, 2, agreement_id, village_code, month, value, beneficiaries, outputs FROM bucketed WHERE generation = 1 AND agreement_id IN `+touched)
		manifest = s.manifest(`SELECT bucket, max(generation) FROM bucketed GROUP BY bucket ORDER BY bucket`)
		s.exec("", `CREATE TABLE replacing (generation UInt64, `+columns+`) ENGINE = ReplacingMergeTree(generation) ORDER BY (agreement_id, month, village_code)`)
		s.exec("", `INSERT INTO replacing SELECT * FROM overlay`)
		one := fmt.Sprintf("'SIN-%d'", 1_000_000+agreements/2)
		reads := []struct{ name, flat, bucketed, overlay, replacing, delta string }{
			{"whole generation: count(), sum(value)",
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM flat WHERE generation = 2`,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM bucketed WHERE (bucket, generation) IN ` + manifest,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM overlay WHERE ` + newest,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM replacing FINAL`,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM overlay WHERE ` + delta},
			{"one agreement: count(), sum(value)",
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM flat WHERE generation = 2 AND agreement_id = ` + one,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM bucketed WHERE (bucket, generation) IN ` + manifest + ` AND bucket = ` + strings.ReplaceAll(bucketExpr, "agreement_id", one) + ` AND agreement_id = ` + one,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM overlay WHERE ` + newest + ` AND agreement_id = ` + one,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM replacing FINAL WHERE agreement_id = ` + one,
				`SELECT concat(toString(count()), '/', toString(sum(value))) FROM overlay WHERE ` + delta + ` AND agreement_id = ` + one},
			{"by month: sum(value) GROUP BY month",
				`SELECT concat(toString(month), '/', toString(sum(value))) FROM flat WHERE generation = 2 GROUP BY month ORDER BY month`,
				`SELECT concat(toString(month), '/', toString(sum(value))) FROM bucketed WHERE (bucket, generation) IN ` + manifest + ` GROUP BY month ORDER BY month`,
				`SELECT concat(toString(month), '/', toString(sum(value))) FROM overlay WHERE ` + newest + ` GROUP BY month ORDER BY month`,
				`SELECT concat(toString(month), '/', toString(sum(value))) FROM replacing FINAL GROUP BY month ORDER BY month`,
				`SELECT concat(toString(month), '/', toString(sum(value))) FROM overlay WHERE ` + delta + ` GROUP BY month ORDER BY month`},
		}
		s.expect(`SELECT count() FROM flat WHERE generation = 2`, total)
		for _, r := range reads {
			answers := map[string]string{}
			for _, q := range []struct{ layout, sql string }{{"flat", r.flat}, {"bucketed", r.bucketed}, {"overlay", r.overlay}, {"replacing FINAL", r.replacing}, {"base+delta", r.delta}} {
				best := time.Duration(1 << 62)
				var answer string
				for i := 0; i < 3; i++ {
					start := time.Now()
					answer = s.text(q.sql)
					best = min(best, time.Since(start))
				}
				answers[q.layout] = answer
				t.Logf("READ %-40s %-16s %8.1f ms", r.name, q.layout, best.Seconds()*1000)
			}
			for layout, a := range answers {
				if a != answers["flat"] {
					t.Errorf("%s: %s answers %q, flat %q", r.name, layout, a, answers["flat"])
				}
			}
		}
		s.logParts("flat")
		s.logParts("bucketed")
	})
}

type session struct {
	t   *testing.T
	db  *clickhouse.DB
	ctx context.Context
}

func (s *session) exec(label, query string) {
	s.t.Helper()
	start := time.Now()
	if err := s.db.Exec(s.ctx, query); err != nil {
		s.t.Fatalf("%s: %v\n%s", label, err, query)
	}
	if label != "" {
		s.t.Logf("TIME %-70s %8.3f s", label, time.Since(start).Seconds())
	}
}

func (s *session) count(query string) uint64 {
	s.t.Helper()
	var n uint64
	if err := s.db.QueryRow(s.ctx, query, nil, &n); err != nil {
		s.t.Fatalf("%v\n%s", err, query)
	}
	return n
}

func (s *session) expect(query string, want uint64) {
	s.t.Helper()
	if got := s.count(query); got != want {
		s.t.Fatalf("%s: %d rows, want %d", query, got, want)
	}
}

func (s *session) scan(query string, dest *[]int) {
	s.t.Helper()
	rows, err := s.db.Query(s.ctx, query)
	if err != nil {
		s.t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	for rows.Next() {
		var b uint16
		if err := rows.Scan(&b); err != nil {
			s.t.Fatal(err)
		}
		*dest = append(*dest, int(b))
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
}

// manifest is the (bucket, generation) pairs of query as a literal tuple list.
func (s *session) manifest(query string) string {
	s.t.Helper()
	rows, err := s.db.Query(s.ctx, query)
	if err != nil {
		s.t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	var pairs []string
	for rows.Next() {
		var b uint16
		var g uint64
		if err := rows.Scan(&b, &g); err != nil {
			s.t.Fatal(err)
		}
		pairs = append(pairs, fmt.Sprintf("(%d,%d)", b, g))
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return "(" + strings.Join(pairs, ",") + ")"
}

// text is the whole answer of query, as text, to compare layouts.
func (s *session) text(query string) string {
	s.t.Helper()
	rows, err := s.db.Query(s.ctx, query)
	if err != nil {
		s.t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return strings.Join(out, ";")
}

func (s *session) logParts(table string) {
	s.t.Helper()
	var parts uint64
	if err := s.db.QueryRow(s.ctx, `SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = ? AND active`, []any{table}, &parts); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("PARTS %s: %d active parts", table, parts)
}

func intList(xs []int) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}
