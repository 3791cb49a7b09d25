package clickhouse_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSQLKeepsBothEnginesAlike guards two rules of docs/clickhouse.md in
// every Go and SQL source of the module: a joined subquery has an alias
// (since ClickHouse 20.3 one without is an error), and no statement uses
// ANY INNER JOIN (18.16 keeps every left row, current releases one row per
// key on both sides: same statement, different figures).
func TestSQLKeepsBothEnginesAlike(t *testing.T) {
	root := moduleRoot(t)
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "var" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".sql")) || strings.HasSuffix(path, "sqlrules_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		for _, v := range joinViolations(string(src)) {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: %s", rel, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked %d files: not the module's sources?", checked)
	}
}

func TestJoinViolationsFindsTheBadShapes(t *testing.T) {
	bad := []string{
		"SELECT a FROM t ANY INNER JOIN u USING a",
		"SELECT a FROM t any  join u USING a",
		"FROM (SELECT 1) ANY LEFT JOIN (SELECT a FROM u) USING a",
		"FROM t ALL INNER JOIN (SELECT a, f(b) FROM u)\n ON t.a = u.a",
		"s.add(\" ANY LEFT JOIN \"+partnersByKind()+\" USING agreement_id\", x)",
		"CROSS JOIN (SELECT DISTINCT y FROM u)\n\t) AS cells",
		"FROM (SELECT a FROM t) ANY LEFT JOIN u USING a",
		"FROM (SELECT a FROM t)\n\tCROSS JOIN u",
	}
	for _, q := range bad {
		if len(joinViolations(q)) == 0 {
			t.Errorf("no violation found in %q", q)
		}
	}
	good := []string{
		"FROM (SELECT 1) AS l ANY LEFT JOIN (SELECT a FROM u) AS r USING a",
		"FROM t ALL INNER JOIN u USING a",
		"ARRAY JOIN [substring(v, 1, 2), v] AS ancestor",
		"s.add(\" ANY LEFT JOIN \"+partnersByKind()+\" AS typed USING agreement_id\", x)",
		"strings.Join(parts, \", \")",
		"FROM (SELECT a FROM t) ARRAY JOIN a AS b",
	}
	for _, q := range good {
		if v := joinViolations(q); len(v) != 0 {
			t.Errorf("%q: %v", q, v)
		}
	}
}

var (
	anyInner   = regexp.MustCompile(`(?i)\bANY\s+(INNER\s+)?JOIN\b`)
	joinTarget = regexp.MustCompile(`\bJOIN\s*(\(|["` + "`" + `]\s*\+\s*[A-Za-z_][A-Za-z0-9_.]*\()`)
	afterJoin  = regexp.MustCompile(`^[\s"` + "`" + `+]*([A-Za-z_]+|\)|$)`)
	// A subquery on a join's left side: its ")" directly followed by the join.
	leftOfJoin = regexp.MustCompile(`(?i)\)[\s"` + "`" + `+]*(GLOBAL\s+)?((ANY|ALL|ASOF|SEMI|ANTI)\s+)?((LEFT|RIGHT|FULL|INNER|CROSS)\s+)?(OUTER\s+)?JOIN\b`)
)

// joinViolations lists the ANY INNER JOINs and the subqueries on either
// side of a join without an alias (current releases refuse both) in src,
// SQL or Go source with SQL in its strings (a subquery may come from a Go
// call: JOIN "+sub()+" AS x). It reads text, not Go: a left side built in
// one call and joined in the next escapes it; the tests on both engines
// catch those.
func joinViolations(src string) []string {
	var out []string
	for _, m := range anyInner.FindAllStringIndex(src, -1) {
		out = append(out, "line "+line(src, m[0])+": ANY INNER JOIN (write ALL INNER JOIN over a right side with one row per key)")
	}
	for _, m := range leftOfJoin.FindAllStringIndex(src, -1) {
		out = append(out, "line "+line(src, m[0])+": subquery joined without an alias")
	}
	for _, m := range joinTarget.FindAllStringIndex(src, -1) {
		end := closingParen(src, m[1]-1)
		next := afterJoin.FindStringSubmatch(src[end:])
		if next == nil {
			continue
		}
		switch strings.ToUpper(next[1]) {
		case "USING", "ON", ")", "":
			out = append(out, "line "+line(src, m[0])+": joined subquery without an alias")
		}
	}
	return out
}

// closingParen is the index just past the parenthesis that matches the one
// at open.
func closingParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

func line(s string, at int) string { return strconv.Itoa(strings.Count(s[:at], "\n") + 1) }

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
