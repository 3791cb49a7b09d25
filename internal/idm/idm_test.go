package idm

import "testing"

func TestStatusForScore(t *testing.T) {
	tests := []struct {
		score float64
		want  Status
	}{
		{0.9, StatusMandiri}, {0.8155, StatusMandiri}, {0.8154, StatusMaju}, {0.7073, StatusMaju},
		{0.7072, StatusBerkembang}, {0.599, StatusBerkembang}, {0.5989, StatusTertinggal},
		{0.4908, StatusTertinggal}, {0.4907, StatusSangatTertinggal}, {0, StatusSangatTertinggal},
	}
	for _, tt := range tests {
		if got := StatusForScore(tt.score); got != tt.want {
			t.Errorf("StatusForScore(%v) = %v, want %v", tt.score, got, tt.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]Status{
		"MANDIRI": StatusMandiri, "maju": StatusMaju, " Berkembang ": StatusBerkembang,
		"SANGAT TERTINGGAL": StatusSangatTertinggal, "sangat_tertinggal": StatusSangatTertinggal,
		"Sangat  Tertinggal": StatusSangatTertinggal, "TERTINGGAL": StatusTertinggal,
	} {
		got, err := ParseStatus(in)
		if err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MAJU SEKALI", "TERTINGGAL X"} {
		if _, err := ParseStatus(in); err == nil {
			t.Errorf("ParseStatus(%q) accepted", in)
		}
	}
}

func TestScoreCheck(t *testing.T) {
	ok := Score{Year: 2024, Village: "6401012009", IKS: 0.8114, IKE: 0.7, IKL: 0.9333, IDM: 0.8149, Status: StatusMaju}
	if err := ok.Check(); err != nil {
		t.Fatalf("valid score refused: %v", err)
	}
	bad := []Score{}
	s := ok
	s.IKS = 1.2
	bad = append(bad, s)
	s = ok
	s.IDM = 0.7
	s.Status = StatusBerkembang
	bad = append(bad, s) // not the mean
	s = ok
	s.Status = StatusMandiri
	bad = append(bad, s) // contradicts threshold
	for i, b := range bad {
		if err := b.Check(); err == nil {
			t.Errorf("case %d: %+v accepted", i, b)
		}
	}
}
