package register

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// The register's cell values: dates, months, amounts in rupiah, counts and
// lists. Each parser reads the text a person typed (all a CSV file has);
// registerCell adds what an XLSX cell stores, so that a date cell or a
// formatted amount is read from its value rather than from its display.

// Dates outside these years are typing errors, or a number (a year, an
// amount) read as an Excel date serial.
const (
	registerMinYear = 1970 // ClickHouse Date starts at 1970-01-01
	registerMaxYear = 2100
)

// maxRupiah bounds amounts: Rp 1.000 triliun is more than a province spends
// in a decade, so a larger number is a typing error; the bound also keeps
// every accepted amount within the range storage can hold.
var maxRupiah = decimal.New(1, 15)

// maxCount bounds counts of people: more than Indonesia's population is a
// typing error.
const maxCount = 300_000_000

// registerCell is one cell of a register row.
type registerCell struct {
	label string // the column as the file names it, for messages
	text  string // as displayed, trimmed: all a CSV file has
	// stored is the value an XLSX cell stores (a date's serial number, an
	// amount's full precision); "" for CSV.
	stored   string
	xlsx     bool
	date1904 bool // the workbook counts dates from 1904 (old Mac Excel)
}

// excelNumber is the number an XLSX cell stores, when it stores one.
func (c registerCell) excelNumber() (float64, bool) {
	if !c.xlsx || !numberSyntax(c.stored) {
		return 0, false
	}
	v, err := strconv.ParseFloat(c.stored, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// formattedNumber is the stored number of an XLSX number cell whose display
// differs from it (a number format such as "#,##0" or "Rp #,##0"), where the
// display may have lost the fraction. A cell displayed as stored is read from
// its text, like CSV: a text cell "1.500" must not become 1.5.
func (c registerCell) formattedNumber() (float64, bool) {
	if c.stored == c.text {
		return 0, false
	}
	return c.excelNumber()
}

// numberSyntax reports whether s is written like a number Excel stores:
// an optional minus, digits, an optional fraction and exponent.
func numberSyntax(s string) bool {
	if s == "" {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return digits > 0
}

// date reads an optional date; zero when the cell is empty.
func (c registerCell) date() (time.Time, string) {
	if c.text == "" && c.stored == "" {
		return time.Time{}, ""
	}
	if v, ok := c.excelNumber(); ok {
		d, err := excelSerialDate(v, c.date1904)
		if err != nil {
			return time.Time{}, fmt.Sprintf("%s %q %v", c.label, c.text, err)
		}
		return d, ""
	}
	d, err := parseDateText(c.text)
	if err != nil {
		return time.Time{}, fmt.Sprintf("%s %q %v", c.label, c.text, err)
	}
	return d, ""
}

// month reads a required month as its first day.
func (c registerCell) month() (time.Time, string) {
	if c.text == "" && c.stored == "" {
		return time.Time{}, "empty " + c.label
	}
	if v, ok := c.excelNumber(); ok {
		d, err := excelSerialDate(v, c.date1904)
		if err != nil {
			return time.Time{}, fmt.Sprintf("%s %q %v", c.label, c.text, err)
		}
		return firstOfMonth(d), ""
	}
	m, err := parseMonthText(c.text)
	if err != nil {
		return time.Time{}, fmt.Sprintf("%s %q %v", c.label, c.text, err)
	}
	return m, ""
}

// rupiah reads an optional amount; nil when the cell is empty.
func (c registerCell) rupiah() (*decimal.Decimal, string) {
	if c.text == "" {
		return nil, ""
	}
	var d decimal.Decimal
	if v, ok := c.formattedNumber(); ok {
		d = decimal.NewFromFloat(v)
	} else {
		var err error
		if d, err = parseRupiah(c.text); err != nil {
			return nil, fmt.Sprintf("%s %q %v", c.label, c.text, err)
		}
	}
	switch {
	case d.IsNegative():
		return nil, fmt.Sprintf("%s %s is negative", c.label, d.String())
	case d.GreaterThanOrEqual(maxRupiah):
		return nil, fmt.Sprintf("%s %s is too large (Rp 1.000 triliun or more): a typing error?", c.label, d.String())
	}
	// Rupiah are kept to the sen: a formula's result (a third of an amount)
	// must not carry binary noise or endless digits into storage.
	if d.Exponent() < -2 {
		d = d.Round(2)
	}
	return &d, ""
}

// rupiahValue is rupiah for an amount that is there (the caller checks),
// with a fast path for plain digits: nearly every amount of a national
// realisations file, read millions of times.
func (c registerCell) rupiahValue() (decimal.Decimal, string) {
	if !c.xlsx || c.stored == c.text {
		if n, ok := plainAmount(c.text); ok {
			// In sen, as stored (Decimal(18, 2)): the driver converts it
			// without rescaling.
			return decimal.New(n*100, -2), ""
		}
	}
	d, reason := c.rupiah()
	if d == nil {
		return decimal.Decimal{}, reason
	}
	return *d, reason
}

// plainAmount reads s when it is only digits, at most 15 of them: a whole
// amount below maxRupiah, which parseRupiah would read the same.
func plainAmount(s string) (int64, bool) {
	if s == "" || len(s) > 15 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// count reads an optional count of people; 0 when the cell is empty.
func (c registerCell) count() (int, string) {
	if c.text == "" {
		return 0, ""
	}
	if !c.xlsx || c.stored == c.text {
		if n, ok := plainAmount(c.text); ok && n <= maxCount {
			return int(n), "" // plain digits, as parseCount reads them
		}
	}
	if v, ok := c.formattedNumber(); ok {
		r := math.Round(v)
		switch {
		case math.Abs(v-r) > 1e-9:
			return 0, fmt.Sprintf("%s %s is not a whole number", c.label, c.stored)
		case r < 0:
			return 0, fmt.Sprintf("%s %s is negative", c.label, c.stored)
		case r > maxCount:
			return 0, fmt.Sprintf("%s %s is more than Indonesia's population: a typing error?", c.label, c.stored)
		}
		return int(r), ""
	}
	n, err := parseCount(c.text)
	if err != nil {
		return 0, fmt.Sprintf("%s %q %v", c.label, c.text, err)
	}
	return n, ""
}

// excelSerialDate turns an Excel date serial (days since 1900, or 1904) into
// its date; the time of day is dropped.
func excelSerialDate(v float64, date1904 bool) (time.Time, error) {
	if v < 1 {
		return time.Time{}, errors.New("is not a date")
	}
	t, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return time.Time{}, errors.New("is not a date")
	}
	if y := t.Year(); y < registerMinYear || y > registerMaxYear {
		return time.Time{}, fmt.Errorf("is read as the Excel date %s, outside the years %d..%d", t.Format(time.DateOnly), registerMinYear, registerMaxYear)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
}

// parseDateText reads YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY (day and month
// may have one digit, as in "26/8/2025").
func parseDateText(s string) (time.Time, error) {
	const want = "is not a date (write YYYY-MM-DD or DD/MM/YYYY)"
	parts, sep := splitDate(s)
	if len(parts) != 3 {
		return time.Time{}, errors.New(want)
	}
	var y, m, d int
	switch {
	case sep == '-' && len(parts[0]) == 4:
		y, m, d = atoiOr(parts[0], 4), atoiOr(parts[1], 2), atoiOr(parts[2], 2)
	case len(parts[2]) == 4:
		d, m, y = atoiOr(parts[0], 2), atoiOr(parts[1], 2), atoiOr(parts[2], 4)
	default:
		return time.Time{}, errors.New(want)
	}
	if y < 0 || m < 0 || d < 0 {
		return time.Time{}, errors.New(want)
	}
	return checkedDate(y, m, d)
}

// parseMonthText reads YYYY-MM or MM/YYYY, or a date, whose month it takes.
func parseMonthText(s string) (time.Time, error) {
	const want = "is not a month (write YYYY-MM)"
	parts, sep := splitDate(s)
	switch {
	case len(parts) == 3:
		d, err := parseDateText(s)
		if err != nil {
			return time.Time{}, errors.New(want)
		}
		return firstOfMonth(d), nil
	case len(parts) != 2:
		return time.Time{}, errors.New(want)
	}
	var y, m int
	switch {
	case sep == '-' && len(parts[0]) == 4:
		y, m = atoiOr(parts[0], 4), atoiOr(parts[1], 2)
	case sep == '/' && len(parts[1]) == 4:
		m, y = atoiOr(parts[0], 2), atoiOr(parts[1], 4)
	default:
		return time.Time{}, errors.New(want)
	}
	if y < 0 || m < 1 || m > 12 {
		return time.Time{}, errors.New(want)
	}
	return checkedDate(y, m, 1)
}

// splitDate splits s at its one kind of separator, '-' or '/'.
func splitDate(s string) ([]string, byte) {
	hasDash, hasSlash := strings.Contains(s, "-"), strings.Contains(s, "/")
	switch {
	case hasDash && !hasSlash:
		return strings.Split(s, "-"), '-'
	case hasSlash && !hasDash:
		return strings.Split(s, "/"), '/'
	}
	return nil, 0
}

// atoiOr reads 1..max digits, -1 otherwise.
func atoiOr(s string, max int) int {
	if s == "" || len(s) > max || !allASCIIDigits(s) {
		return -1
	}
	n, _ := strconv.Atoi(s)
	return n
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkedDate builds a date, refusing days that do not exist (31/02) and
// years outside the register's range.
func checkedDate(y, m, d int) (time.Time, error) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, errors.New("is not a date (no such day)")
	}
	if y < registerMinYear || y > registerMaxYear {
		return time.Time{}, fmt.Errorf("is outside the years %d..%d", registerMinYear, registerMaxYear)
	}
	return t, nil
}

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// parseRupiah reads an amount in rupiah: digits with an optional decimal
// part, optionally after "Rp" and with thousands separators. Separators are
// read only when that is unambiguous:
//
//	1500000  1500000.50  1500000,50       plain, decimal point or comma
//	1.500.000  1,500,000                  two or more groups of three
//	1.500.000,50  1,500,000.50            thousands and decimal separators
//	1.500,-                               Indonesian "no sen" ending
//	1.500  1,500                          refused: 1500 or 1.5?
//
// The sign is returned as written; the caller refuses negative amounts.
func parseRupiah(s string) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	for _, prefix := range []string{"rp.", "rp", "idr"} {
		if len(t) >= len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) {
			t = strings.TrimSpace(t[len(prefix):])
			break
		}
	}
	t = strings.TrimSuffix(strings.TrimSuffix(t, ",-"), ".-")
	negative := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	notNumber := fmt.Errorf("is not an amount (write digits, e.g. 1500000 or 1500000.50)")
	if t == "" {
		return decimal.Decimal{}, notNumber
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; (c < '0' || c > '9') && c != '.' && c != ',' {
			return decimal.Decimal{}, notNumber
		}
	}
	intPart, frac, err := splitSeparators(t)
	if err != nil {
		return decimal.Decimal{}, err
	}
	num := intPart
	if frac != "" {
		num += "." + frac
	}
	if negative {
		num = "-" + num
	}
	d, err := decimal.NewFromString(num)
	if err != nil {
		return decimal.Decimal{}, notNumber
	}
	return d, nil
}

// splitSeparators splits digits written with '.' and ',' into the integer
// digits and the fraction digits (see parseRupiah).
func splitSeparators(t string) (intPart, frac string, err error) {
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	notNumber := fmt.Errorf("is not an amount (write digits, e.g. 1500000 or 1500000.50)")
	switch {
	case dots == 0 && commas == 0:
		return t, "", nil
	case dots > 0 && commas > 0:
		// The last separator is the decimal one and occurs once; the other
		// groups thousands.
		last := strings.LastIndexAny(t, ".,")
		dec, group := t[last], byte(',')
		if dec == ',' {
			group = '.'
		}
		head, tail := t[:last], t[last+1:]
		if strings.IndexByte(head, dec) >= 0 || tail == "" {
			return "", "", notNumber
		}
		digits, ok := thousandsGroups(head, group)
		if !ok {
			return "", "", notNumber
		}
		return digits, tail, nil
	}
	sep := byte('.')
	if commas > 0 {
		sep = ','
	}
	if dots+commas > 1 {
		digits, ok := thousandsGroups(t, sep)
		if !ok {
			return "", "", notNumber
		}
		return digits, "", nil
	}
	i := strings.IndexByte(t, sep)
	head, tail := t[:i], t[i+1:]
	switch {
	case head == "" || tail == "":
		return "", "", notNumber
	case len(tail) == 3 && len(head) <= 3 && head[0] != '0':
		return "", "", fmt.Errorf("is ambiguous: write %s%s or %s.%s", head, tail, head, tail)
	}
	return head, tail, nil
}

// thousandsGroups checks that s is digits grouped by threes with sep
// ("1.500.000") and returns the digits.
func thousandsGroups(s string, sep byte) (string, bool) {
	groups := strings.Split(s, string(sep))
	if first := groups[0]; len(groups) < 2 || first == "" || len(first) > 3 || first[0] == '0' {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// parseCount reads a whole number of people: digits, grouped by threes with
// '.' or ',' if wanted (a count has no fraction, so "1.200" is 1200).
func parseCount(s string) (int, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "-") {
		if _, err := parseCount(t[1:]); err == nil {
			return 0, errors.New("is negative")
		}
	}
	digits := t
	if strings.ContainsAny(t, ".,") {
		sep := byte('.')
		if strings.Contains(t, ",") {
			sep = ','
		}
		var ok bool
		if digits, ok = thousandsGroups(t, sep); !ok {
			return 0, errors.New("is not a whole number")
		}
	}
	if digits == "" || !allASCIIDigits(digits) {
		return 0, errors.New("is not a whole number")
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxCount {
		return 0, errors.New("is more than Indonesia's population: a typing error?")
	}
	return n, nil
}

// List separators inside a cell. Enumerated values and region codes never
// contain a comma, so a comma separates them too; document numbers may.
const (
	listSeparators     = ";\n"
	codeListSeparators = ";,\n"
)

// splitList splits a cell at any of seps, trimming items and dropping empty
// ones.
func splitList(s, seps string) []string {
	var out []string
	for s != "" {
		item := s
		if i := strings.IndexAny(s, seps); i >= 0 {
			_, size := utf8.DecodeRuneInString(s[i:])
			item, s = s[:i], s[i+size:]
		} else {
			s = ""
		}
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
