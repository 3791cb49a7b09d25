package register

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRegisterParseRupiah(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "1500000", want: "1500000"},
		{in: "1500000.50", want: "1500000.5"},
		{in: "1500000,50", want: "1500000.5"},
		{in: "1.500.000", want: "1500000"},
		{in: "1,500,000", want: "1500000"},
		{in: "1.500.000,50", want: "1500000.5"},
		{in: "1,500,000.50", want: "1500000.5"},
		{in: "Rp 1.500.000", want: "1500000"},
		{in: "Rp1.500.000,-", want: "1500000"},
		{in: "rp. 2.000", err: "ambiguous"},
		{in: "IDR 2,500,000", want: "2500000"},
		{in: "0", want: "0"},
		{in: "0.500", want: "0.5"},
		{in: "1234.567", want: "1234.567"},
		{in: "1.5", want: "1.5"},
		{in: "-5000", want: "-5000"},
		{in: "1.500", err: "is ambiguous: write 1500 or 1.500"},
		{in: "12,500", err: "is ambiguous: write 12500 or 12.500"},
		{in: "1.50.000", err: "is not an amount"},
		{in: "1.500.00", err: "is not an amount"},
		{in: "1.500,000.5", err: "is not an amount"},
		{in: "1,500.000,5", err: "is not an amount"},
		{in: "satu juta", err: "is not an amount"},
		{in: "1e6", err: "is not an amount"},
		{in: "", err: "is not an amount"},
		{in: "Rp", err: "is not an amount"},
		{in: ".5", err: "is not an amount"},
		{in: "5.", err: "is not an amount"},
		{in: "1 500 000", err: "is not an amount"},
		{in: "(1.500.000)", err: "is not an amount"},
		{in: "0.000.000", err: "is not an amount"},
	}
	for _, tt := range tests {
		d, err := parseRupiah(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseRupiah(%q) = %v, %v; want error containing %q", tt.in, d, err, tt.err)
			}
		case err != nil || d.String() != tt.want:
			t.Errorf("parseRupiah(%q) = %v, %v; want %s", tt.in, d, err, tt.want)
		}
	}
}

func TestRegisterCellRupiah(t *testing.T) {
	tests := []struct {
		cell       registerCell
		want, fail string
	}{
		{cell: registerCell{label: "v", text: ""}, want: "<nil>"},
		{cell: registerCell{label: "v", text: "-5000"}, fail: "v -5000 is negative"},
		{cell: registerCell{label: "v", text: "1.000.000.000.000.000"}, fail: "too large"},
		{cell: registerCell{label: "v", text: "999.999.999.999.999"}, want: "999999999999999"},
		{cell: registerCell{label: "v", text: "10,5051"}, want: "10.51"}, // kept to the sen
		// XLSX: a "#,##0" cell displays rounded; its stored value counts.
		{cell: registerCell{label: "v", text: "1,500,001", stored: "1500000.5", xlsx: true}, want: "1500000.5"},
		{cell: registerCell{label: "v", text: "0.3", stored: "0.30000000000000004", xlsx: true}, want: "0.3"},
		// A cell displayed as stored is read from its text: "1.500" typed as text.
		{cell: registerCell{label: "v", text: "1.500", stored: "1.500", xlsx: true}, fail: "ambiguous"},
		{cell: registerCell{label: "v", text: "(1,500)", stored: "-1500", xlsx: true}, fail: "v -1500 is negative"},
	}
	for _, tt := range tests {
		d, reason := tt.cell.rupiah()
		got := "<nil>"
		if d != nil {
			got = d.String()
		}
		if tt.fail != "" {
			if !strings.Contains(reason, tt.fail) {
				t.Errorf("%+v: got %s, %q; want a reason containing %q", tt.cell, got, reason, tt.fail)
			}
			continue
		}
		if reason != "" || got != tt.want {
			t.Errorf("%+v: got %s, %q; want %s", tt.cell, got, reason, tt.want)
		}
	}
}

func TestRegisterParseDates(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	dates := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "2025-08-26", want: day(2025, 8, 26)},
		{in: "2025-8-6", want: day(2025, 8, 6)},
		{in: "26/08/2025", want: day(2025, 8, 26)},
		{in: "26/8/2025", want: day(2025, 8, 26)},
		{in: "26-08-2025", want: day(2025, 8, 26)},
		{in: "31/02/2025", err: "no such day"},
		{in: "8/26/2025", err: "no such day"}, // American order: month 26
		{in: "2025-13-01", err: "no such day"},
		{in: "26/08/25", err: "write YYYY-MM-DD or DD/MM/YYYY"},
		{in: "2025/08/26", err: "write YYYY-MM-DD"},
		{in: "26-08/2025", err: "write YYYY-MM-DD"},
		{in: "kemarin", err: "is not a date"},
		{in: "2025-08-26T10:00", err: "is not a date"},
		{in: "1900-01-01", err: "outside the years 1970..2100"},
		{in: "+025-08-26", err: "is not a date"},
	}
	for _, tt := range dates {
		got, err := parseDateText(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseDateText(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
			}
		} else if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseDateText(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	months := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "2025-08", want: day(2025, 8, 1)},
		{in: "2025-8", want: day(2025, 8, 1)},
		{in: "08/2025", want: day(2025, 8, 1)},
		{in: "2025-08-26", want: day(2025, 8, 1)},
		{in: "26/08/2025", want: day(2025, 8, 1)},
		{in: "2025/13", err: "is not a month (write YYYY-MM)"},
		{in: "2025-13", err: "is not a month"},
		{in: "Agustus 2025", err: "is not a month"},
		{in: "2025", err: "is not a month"},
		{in: "31/02/2025", err: "is not a month"},
	}
	for _, tt := range months {
		got, err := parseMonthText(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseMonthText(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
			}
		} else if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseMonthText(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestRegisterCellDates(t *testing.T) {
	aug26 := time.Date(2025, 8, 26, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		cell  registerCell
		month bool
		want  time.Time
		fail  string
	}{
		{cell: registerCell{label: "d", text: "08-26-25", stored: "45895", xlsx: true}, want: aug26},
		{cell: registerCell{label: "d", text: "26/08/2025 10:30", stored: "45895.4375", xlsx: true}, want: aug26},
		{cell: registerCell{label: "d", text: "08-26-25", stored: "44433", xlsx: true, date1904: true}, want: aug26},
		{cell: registerCell{label: "d", text: "2025-08-26", stored: "2025-08-26", xlsx: true}, want: aug26},
		{cell: registerCell{label: "d", text: "2025", stored: "2025", xlsx: true}, fail: `d "2025" is read as the Excel date 1905-07-17, outside the years 1970..2100`},
		{cell: registerCell{label: "d", text: "0", stored: "0", xlsx: true}, fail: "is not a date"},
		{cell: registerCell{label: "d", text: "45895"}, fail: "is not a date"}, // CSV has no date serials
		{cell: registerCell{label: "d"}, want: time.Time{}},
		{cell: registerCell{label: "m", text: "Aug-25", stored: "45870", xlsx: true}, month: true, want: time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)},
		{cell: registerCell{label: "m"}, month: true, fail: "empty m"},
	}
	for _, tt := range tests {
		var got time.Time
		var reason string
		if tt.month {
			got, reason = tt.cell.month()
		} else {
			got, reason = tt.cell.date()
		}
		if tt.fail != "" {
			if !strings.Contains(reason, tt.fail) {
				t.Errorf("%+v: got %v, %q; want a reason containing %q", tt.cell, got, reason, tt.fail)
			}
		} else if reason != "" || !got.Equal(tt.want) {
			t.Errorf("%+v: got %v, %q; want %v", tt.cell, got, reason, tt.want)
		}
	}
}

func TestRegisterParseCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{in: "40", want: 40},
		{in: "1.200", want: 1200},
		{in: "1,200,000", want: 1200000},
		{in: "-3", err: "is negative"},
		{in: "12.5", err: "is not a whole number"},
		{in: "banyak", err: "is not a whole number"},
		{in: "1.20.0", err: "is not a whole number"},
		{in: "999999999999999999999", err: "population"},
	}
	for _, tt := range tests {
		got, err := parseCount(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseCount(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.err)
			}
		} else if err != nil || got != tt.want {
			t.Errorf("parseCount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	cells := []struct {
		cell registerCell
		want int
		fail string
	}{
		{cell: registerCell{label: "b", text: "1,200", stored: "1200", xlsx: true}, want: 1200},
		{cell: registerCell{label: "b", text: "13", stored: "12.5", xlsx: true}, fail: "b 12.5 is not a whole number"},
		{cell: registerCell{label: "b", text: "(3)", stored: "-3", xlsx: true}, fail: "is negative"},
		{cell: registerCell{label: "b"}, want: 0},
	}
	for _, tt := range cells {
		got, reason := tt.cell.count()
		if tt.fail != "" {
			if !strings.Contains(reason, tt.fail) {
				t.Errorf("%+v: got %d, %q; want a reason containing %q", tt.cell, got, reason, tt.fail)
			}
		} else if reason != "" || got != tt.want {
			t.Errorf("%+v: got %d, %q; want %d", tt.cell, got, reason, tt.want)
		}
	}
}

func TestRegisterSplitList(t *testing.T) {
	tests := []struct {
		in, seps string
		want     []string
	}{
		{"a;b", listSeparators, []string{"a", "b"}},
		{" a ; ;b;", listSeparators, []string{"a", "b"}},
		{"a\nb", listSeparators, []string{"a", "b"}},
		{"No. 5, Tahun 2025; PKS/1", listSeparators, []string{"No. 5, Tahun 2025", "PKS/1"}},
		{"THIRD_PARTY, ENERGY_MINERAL;UMKM", codeListSeparators, []string{"THIRD_PARTY", "ENERGY_MINERAL", "UMKM"}},
		{"", codeListSeparators, nil},
		{" ; , ", codeListSeparators, nil},
	}
	for _, tt := range tests {
		if got := splitList(tt.in, tt.seps); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// As strings.FieldsFunc splits, on random text.
	fields := func(s, seps string) []string {
		var out []string
		for _, item := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(9, 10))
	const alphabet = "ab ;,\n\té"
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(20) {
			b.WriteString(string([]rune(alphabet)[rng.IntN(len([]rune(alphabet)))]))
		}
		for _, seps := range []string{listSeparators, codeListSeparators} {
			if got, want := splitList(b.String(), seps), fields(b.String(), seps); !reflect.DeepEqual(got, want) {
				t.Fatalf("splitList(%q, %q) = %q, want %q", b.String(), seps, got, want)
			}
		}
	}
}
