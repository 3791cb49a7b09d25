package regionfile

import (
	"fmt"
	"io"
	"strings"

	"github.com/sinergi-id/sinergi/etl/tabular"
	"github.com/sinergi-id/sinergi/internal/region"
)

// Batch is what a region register file yields.
type Batch struct {
	// Regions are the accepted regions in the order the file first names
	// them; village counts are left zero (they are derived when the
	// register snapshot is built).
	Regions []region.Region
	// Lines[i] is the line Regions[i] came from (for an ancestor taken from
	// the village list: the first line naming it).
	Lines    []int
	Rejects  []tabular.Reject // ordered by line
	RowsRead int              // data records read, refused ones included
}

// The two register layouts: the full list has one row per region of any
// level; the village list has one row per village carrying its ancestors.
var (
	regionListColumns = []tabular.ColumnSpec{
		{Name: "kode", Aliases: []string{"kode", "kode_wilayah", "kode_dagri", "code"}, Required: true},
		{Name: "kode_flat", Aliases: []string{"kode_flat"}},
		{Name: "level", Aliases: []string{"level", "tingkat"}},
		{Name: "jenis", Aliases: []string{"jenis", "kind"}, Required: true},
		{Name: "parent_kode", Aliases: []string{"parent_kode", "kode_induk", "parent_code", "parent"}, Required: true},
		{Name: "nama", Aliases: []string{"nama", "nama_wilayah", "name"}, Required: true},
	}
	villageListColumns = []tabular.ColumnSpec{
		{Name: "kode_desa", Aliases: []string{"kode_desa", "kode_desa_kelurahan", "kode_desa_dagri"}, Required: true},
		{Name: "kode_desa_flat", Aliases: []string{"kode_desa_flat"}},
		{Name: "jenis", Aliases: []string{"jenis"}, Required: true},
		{Name: "nama_desa", Aliases: []string{"nama_desa", "nama_desa_kelurahan"}, Required: true},
		{Name: "kode_kecamatan", Aliases: []string{"kode_kecamatan", "kode_kec"}, Required: true},
		{Name: "nama_kecamatan", Aliases: []string{"nama_kecamatan", "nama_kec"}, Required: true},
		{Name: "kode_kabkota", Aliases: []string{"kode_kabkota", "kode_kabupaten_kota", "kode_kab_kota"}, Required: true},
		{Name: "nama_kabkota", Aliases: []string{"nama_kabkota", "nama_kabupaten_kota", "nama_kab_kota"}, Required: true},
		{Name: "kode_provinsi", Aliases: []string{"kode_provinsi", "kode_prov"}, Required: true},
		{Name: "nama_provinsi", Aliases: []string{"nama_provinsi", "nama_prov"}, Required: true},
	}
)

// Parse reads a region register file in either layout (told apart by
// its header) and validates every row; parents may come later in the file or
// from known. It returns an error only when the file as a whole cannot be
// read; refused rows are in the batch's Rejects.
func Parse(t *tabular.Table, known region.Lookup) (Batch, error) {
	return parse(t, known, nil)
}

// parse is Parse handing each refused row to sink as it is
// found, when sink is not nil, instead of keeping it in the batch.
func parse(t *tabular.Table, known region.Lookup, sink func(tabular.Reject)) (Batch, error) {
	if known == nil {
		known = (*region.Set)(nil) // an empty register: every parent must be in the file
	}
	parseRow, codeOf, err := regionLayout(t.Header())
	if err != nil {
		return Batch{}, fmt.Errorf("region parse %s: %w", t.Source(), err)
	}
	c := &regionCollector{t: t, copies: map[region.Code][]regionRow{}, refused: map[region.Code]bool{}, sink: sink}
	var batch Batch
	width := len(t.Header())
	for {
		rec, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Batch{}, fmt.Errorf("region parse: %w", err)
		}
		batch.RowsRead++
		if p := tabular.RecordProblem(rec, width); p != "" {
			c.reject(rec, "", p, codeOf(rec.Fields))
			continue
		}
		parseRow(c, rec)
	}
	batch.Regions, batch.Lines = c.finish(known)
	batch.Rejects = c.rejects
	tabular.SortRejects(batch.Rejects)
	return batch, nil
}

// regionLayout picks the layout from the header: only the village list has
// a village code column.
func regionLayout(header []string) (parse func(*regionCollector, tabular.Record), codeOf func([]string) region.Code, err error) {
	if hasAnyColumn(header, villageListColumns[0].Aliases) {
		cols, err := tabular.NewColumnMap(header, villageListColumns)
		if err != nil {
			return nil, nil, fmt.Errorf("village list: %w", err)
		}
		v := &villageList{cols: cols, ancestors: map[region.Code]regionRow{}}
		return v.parseRow, v.codeOf, nil
	}
	cols, err := tabular.NewColumnMap(header, regionListColumns)
	if err != nil {
		// The author may have meant the other layout; say what it needs.
		return nil, nil, fmt.Errorf("region list: %w (a village list instead needs %s)", err, specNames(villageListColumns))
	}
	l := regionList{cols: cols}
	return l.parseRow, l.codeOf, nil
}

func specNames(specs []tabular.ColumnSpec) string {
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		if s.Required {
			names = append(names, s.Name)
		}
	}
	return strings.Join(names, ", ")
}

func hasAnyColumn(header, aliases []string) bool {
	for _, h := range header {
		for _, a := range aliases {
			if tabular.NormalizeHeader(h) == tabular.NormalizeHeader(a) {
				return true
			}
		}
	}
	return false
}

// regionRow is one accepted copy of a region and where it came from.
type regionRow struct {
	r    region.Region
	line int
	raw  string
}

// regionCollector gathers rows until the whole file is read, because
// duplicates and parents can only be judged then.
type regionCollector struct {
	t       *tabular.Table
	order   []region.Code // codes with a valid row, first-seen order
	copies  map[region.Code][]regionRow
	refused map[region.Code]bool // codes with a refused row
	rejects []tabular.Reject
	sink    func(tabular.Reject) // when set, takes the rejects instead of rejects
}

func (c *regionCollector) refuse(rj tabular.Reject) {
	if c.sink != nil {
		c.sink(rj)
		return
	}
	c.rejects = append(c.rejects, rj)
}

// reject refuses rec; column is the header of the column the reason is
// about, "" for the whole row.
func (c *regionCollector) reject(rec tabular.Record, column, reason string, code region.Code) {
	c.refuse(tabular.NewReject(c.t, rec.Line, rec.Raw, column, reason))
	if code != "" {
		c.refused[code] = true
	}
}

func (c *regionCollector) add(row regionRow) {
	if _, seen := c.copies[row.r.Code]; !seen {
		c.order = append(c.order, row.r.Code)
	}
	c.copies[row.r.Code] = append(c.copies[row.r.Code], row)
}

// finish settles duplicates, then checks parents level by level from the
// top, so that a refused region takes its whole subtree with it.
func (c *regionCollector) finish(known region.Lookup) ([]region.Region, []int) {
	chosen := map[region.Code]regionRow{}
	for _, code := range c.order {
		if row, ok := c.settleCopies(code); ok {
			chosen[code] = row
		}
	}
	accepted := map[region.Code]bool{}
	for _, level := range region.Levels {
		for _, code := range c.order {
			row, ok := chosen[code]
			if !ok || row.r.Level != level {
				continue
			}
			if reason := c.parentProblem(row.r, accepted, known); reason != "" {
				c.refuse(tabular.NewReject(c.t, row.line, row.raw, "", reason))
				c.refused[code] = true
				continue
			}
			accepted[code] = true
		}
	}
	var regions []region.Region
	var lines []int
	for _, code := range c.order {
		if accepted[code] {
			regions = append(regions, chosen[code].r)
			lines = append(lines, chosen[code].line)
		}
	}
	return regions, lines
}

// settleCopies keeps the first of identical copies of a code; copies that
// disagree are all refused, since nothing tells which one is right.
func (c *regionCollector) settleCopies(code region.Code) (regionRow, bool) {
	rows := c.copies[code]
	conflict := false
	for _, row := range rows[1:] {
		conflict = conflict || row.r != rows[0].r
	}
	if !conflict {
		return rows[0], true
	}
	lines := make([]int, len(rows))
	for i, row := range rows {
		lines[i] = row.line
	}
	reason := fmt.Sprintf("code %s appears on lines %s with different values (%s)", code.Dotted(), tabular.LineList(lines), regionDifferences(rows))
	for _, row := range rows {
		c.refuse(tabular.NewReject(c.t, row.line, row.raw, "", reason))
	}
	c.refused[code] = true
	return regionRow{}, false
}

// regionDifferences names the fields on which copies of a region differ.
func regionDifferences(rows []regionRow) string {
	fields := []struct {
		name string
		get  func(region.Region) string
	}{
		{"nama", func(r region.Region) string { return r.Name }},
		{"jenis", func(r region.Region) string { return string(r.Kind) }},
		{"parent", func(r region.Region) string { return r.Parent.Dotted() }},
	}
	var diffs []string
	for _, f := range fields {
		values := make([]string, len(rows))
		for i, row := range rows {
			values[i] = fmt.Sprintf("%q", f.get(row.r))
		}
		if list, n := tabular.DistinctValues(values); n > 1 {
			diffs = append(diffs, f.name+" "+list)
		}
	}
	return strings.Join(diffs, "; ")
}

// parentProblem says why r's parent is not acceptable, or "". A parent
// refused in this file wins over one in the register: the file meant to
// change it.
func (c *regionCollector) parentProblem(r region.Region, accepted map[region.Code]bool, known region.Lookup) string {
	if r.Level == region.LevelProvinsi || accepted[r.Parent] {
		return ""
	}
	if c.refused[r.Parent] {
		return fmt.Sprintf("parent %s was rejected", r.Parent.Dotted())
	}
	if _, ok := known.Region(r.Parent); ok {
		return ""
	}
	return fmt.Sprintf("parent %s is neither in this file nor in the region register", r.Parent.Dotted())
}

// regionList reads the full-list layout: kode, kode_flat, level, jenis,
// parent_kode, nama.
type regionList struct {
	cols tabular.ColumnMap
}

func (l regionList) codeOf(fields []string) region.Code {
	code, _ := region.ParseCode(l.cols.Get(fields, "kode"))
	return code
}

func (l regionList) parseRow(c *regionCollector, rec tabular.Record) {
	r, column, reason := l.region(rec.Fields)
	if reason != "" {
		c.reject(rec, column, reason, r.Code)
		return
	}
	c.add(regionRow{r: r, line: rec.Line, raw: rec.Raw})
}

// region validates one row; on failure the returned region still carries
// the code when it parsed, so that children can be refused with it. A
// refused row comes with the header of the column at fault.
func (l regionList) region(f []string) (r region.Region, column, reason string) {
	get := func(name string) string { return l.cols.Get(f, name) }
	code, reason := region.ParseCodeField(l.cols.Label("kode"), get("kode"))
	if reason != "" {
		return region.Region{}, l.cols.Label("kode"), reason
	}
	r = region.Region{Code: code, Level: code.Level(), Name: get("nama")}
	if v := get("kode_flat"); v != "" {
		if flat, err := region.ParseCode(v); err != nil || flat != code || strings.Contains(v, ".") {
			return r, l.cols.Label("kode_flat"), fmt.Sprintf("%s %q disagrees with %s %s", l.cols.Label("kode_flat"), v, l.cols.Label("kode"), code.Dotted())
		}
	}
	if v := get("level"); v != "" {
		level, err := region.ParseLevel(v)
		if err != nil {
			return r, l.cols.Label("level"), err.Error()
		}
		if level != r.Level {
			return r, l.cols.Label("level"), fmt.Sprintf("level %s does not fit code %s (a %s code)", level, code.Dotted(), r.Level)
		}
	}
	if r.Kind, reason = kindForCode(code, get("jenis")); reason != "" {
		return r, l.cols.Label("jenis"), reason
	}
	if r.Name == "" {
		return r, l.cols.Label("nama"), fmt.Sprintf("empty %s", l.cols.Label("nama"))
	}
	if r.Parent, reason = parentForCode(code, l.cols.Label("parent_kode"), get("parent_kode")); reason != "" {
		return r, l.cols.Label("parent_kode"), reason
	}
	return r, "", ""
}

// kindForCode reads jenis and checks it against the code: its level and,
// for a village, the first digit of the village part.
func kindForCode(code region.Code, jenis string) (region.Kind, string) {
	if jenis == "" {
		return "", "empty jenis"
	}
	kind, err := region.ParseKind(jenis, code.Level())
	if err != nil {
		return "", fmt.Sprintf("%v (code %s)", err, code.Dotted())
	}
	if code.Level() != region.LevelDesaKelurahan {
		return kind, ""
	}
	switch byDigit := code.VillageKind(); {
	case byDigit == "":
		return "", fmt.Sprintf("village code %s: the village part must start with 1 (kelurahan), 2 (desa) or 3 (desa adat)", code.Dotted())
	case byDigit != kind:
		return "", fmt.Sprintf("jenis %s disagrees with code %s, whose village part starts with %c (%s)", kind, code.Dotted(), code[6], byDigit)
	}
	return kind, ""
}

// parentForCode checks that the parent written in the file is the code's
// own prefix: the hierarchy is in the code, a parent column can only agree.
func parentForCode(code region.Code, label, v string) (region.Code, string) {
	want := code.Parent()
	if v == "" {
		if want == "" {
			return "", ""
		}
		return "", fmt.Sprintf("empty %s (expected %s)", label, want.Dotted())
	}
	parent, err := region.ParseCode(v)
	if err != nil {
		return "", fmt.Sprintf("%s: %v", label, err)
	}
	if want == "" {
		return "", fmt.Sprintf("province %s cannot have a parent (%s is %s)", code.Dotted(), label, parent.Dotted())
	}
	if parent != want {
		return "", fmt.Sprintf("parent %s is not the prefix of %s (expected %s)", parent.Dotted(), code.Dotted(), want.Dotted())
	}
	return parent, ""
}

// villageList reads the village-list layout: one row per village with the
// codes and names of its kecamatan, kabupaten/kota and province.
type villageList struct {
	cols tabular.ColumnMap
	// ancestors holds the first accepted naming of each ancestor; a later
	// row naming it differently is refused.
	ancestors map[region.Code]regionRow
}

func (v *villageList) codeOf(fields []string) region.Code {
	code, _ := region.ParseCode(v.cols.Get(fields, "kode_desa"))
	return code
}

func (v *villageList) parseRow(c *regionCollector, rec tabular.Record) {
	village, ancestors, column, reason := v.regions(rec.Fields)
	if reason == "" {
		reason = v.ancestorConflict(ancestors, rec.Line) // between rows: no one column
	}
	if reason != "" {
		c.reject(rec, column, reason, village.Code)
		return
	}
	for _, a := range ancestors {
		if _, seen := v.ancestors[a.Code]; !seen {
			row := regionRow{r: a, line: rec.Line, raw: rec.Raw}
			v.ancestors[a.Code] = row
			c.add(row)
		}
	}
	c.add(regionRow{r: village, line: rec.Line, raw: rec.Raw})
}

// ancestorConflict reports an ancestor this row names differently from the
// row that first named it.
func (v *villageList) ancestorConflict(ancestors []region.Region, line int) string {
	for _, a := range ancestors {
		first, seen := v.ancestors[a.Code]
		if seen && first.r.Name != a.Name {
			return fmt.Sprintf("%s %s is named %q on line %d but %q on line %d",
				a.Level, a.Code.Dotted(), first.r.Name, first.line, a.Name, line)
		}
	}
	return ""
}

// villageLevels are the ancestor columns of the village list, top down.
var villageLevels = []struct {
	level      region.Level
	code, name string
}{
	{region.LevelProvinsi, "kode_provinsi", "nama_provinsi"},
	{region.LevelKabupatenKota, "kode_kabkota", "nama_kabkota"},
	{region.LevelKecamatan, "kode_kecamatan", "nama_kecamatan"},
}

// regions validates one row and returns the village and its ancestors, top
// down; a refused row comes with the header of the column at fault.
func (v *villageList) regions(f []string) (village region.Region, ancestors []region.Region, column, reason string) {
	get := func(name string) string { return v.cols.Get(f, name) }
	codeLabel := v.cols.Label("kode_desa")
	code, reason := region.ParseCodeField(codeLabel, get("kode_desa"))
	if reason != "" {
		return region.Region{}, nil, codeLabel, reason
	}
	village = region.Region{Code: code, Level: code.Level(), Name: get("nama_desa"), Parent: code.Parent()}
	if village.Level != region.LevelDesaKelurahan {
		return village, nil, codeLabel, fmt.Sprintf("%s %s is a %s code, not a village code", codeLabel, code.Dotted(), village.Level)
	}
	if s := get("kode_desa_flat"); s != "" {
		if flat, err := region.ParseCode(s); err != nil || flat != code || strings.Contains(s, ".") {
			return village, nil, v.cols.Label("kode_desa_flat"), fmt.Sprintf("%s %q disagrees with %s %s", v.cols.Label("kode_desa_flat"), s, codeLabel, code.Dotted())
		}
	}
	if village.Kind, reason = kindForCode(code, get("jenis")); reason != "" {
		return village, nil, v.cols.Label("jenis"), reason
	}
	if village.Name == "" {
		return village, nil, v.cols.Label("nama_desa"), "empty " + v.cols.Label("nama_desa")
	}
	for _, lv := range villageLevels {
		a, column, reason := v.ancestor(code, lv.level, get(lv.code), get(lv.name), v.cols.Label(lv.code), v.cols.Label(lv.name))
		if reason != "" {
			return village, nil, column, reason
		}
		ancestors = append(ancestors, a)
	}
	return village, ancestors, "", ""
}

// ancestor builds the ancestor of village at level from its columns; its
// code must be the village code's prefix. A problem comes with its column.
func (v *villageList) ancestor(village region.Code, level region.Level, codeText, name, codeLabel, nameLabel string) (a region.Region, column, reason string) {
	code, reason := region.ParseCodeField(codeLabel, codeText)
	if reason != "" {
		return region.Region{}, codeLabel, reason
	}
	if want := village.Ancestor(level); code != want {
		return region.Region{}, codeLabel, fmt.Sprintf("%s %s does not contain village %s (expected %s)", codeLabel, code.Dotted(), village.Dotted(), want.Dotted())
	}
	if name == "" {
		return region.Region{}, nameLabel, "empty " + nameLabel
	}
	a = region.Region{Code: code, Level: level, Name: name, Parent: code.Parent()}
	switch level {
	case region.LevelProvinsi:
		a.Kind = region.KindProvinsi
	case region.LevelKabupatenKota:
		a.Kind = kabupatenKotaKind(code)
	case region.LevelKecamatan:
		a.Kind = region.KindKecamatan
	}
	return a, "", ""
}

// kabupatenKotaKind tells a kota from a kabupaten by its code: Kemendagri
// numbers kota from 71 within each province (64.71 Balikpapan), and the
// village list has no jenis column for the kabupaten/kota.
func kabupatenKotaKind(code region.Code) region.Kind {
	if code[2:4] >= "71" {
		return region.KindKota
	}
	return region.KindKabupaten
}
