// Package idm holds the village development index (Indeks Desa Membangun):
// scores, statuses and the service answering distribution and transition
// questions.
package idm

import (
	"fmt"
	"math"
	"strings"

	"github.com/sinergi-id/sinergi/internal/region"
)

// Status is the IDM status class of a desa.
type Status int8

// Statuses in ascending order of development; the numeric order is used to
// tell whether a desa moved up.
const (
	StatusSangatTertinggal Status = iota + 1
	StatusTertinggal
	StatusBerkembang
	StatusMaju
	StatusMandiri
)

// Statuses lists every status from the most developed down, the order the
// API presents them in.
var Statuses = []Status{StatusMandiri, StatusMaju, StatusBerkembang, StatusTertinggal, StatusSangatTertinggal}

// Kemendesa's thresholds on the IDM score (lower bounds, inclusive).
const (
	ThresholdMandiri    = 0.8155
	ThresholdMaju       = 0.7073
	ThresholdBerkembang = 0.5990
	ThresholdTertinggal = 0.4908
)

// StatusForScore classifies an IDM score by Kemendesa's thresholds.
func StatusForScore(score float64) Status {
	switch {
	case score >= ThresholdMandiri:
		return StatusMandiri
	case score >= ThresholdMaju:
		return StatusMaju
	case score >= ThresholdBerkembang:
		return StatusBerkembang
	case score >= ThresholdTertinggal:
		return StatusTertinggal
	}
	return StatusSangatTertinggal
}

// String is the status as stored and as the API names it.
func (s Status) String() string {
	switch s {
	case StatusMandiri:
		return "MANDIRI"
	case StatusMaju:
		return "MAJU"
	case StatusBerkembang:
		return "BERKEMBANG"
	case StatusTertinggal:
		return "TERTINGGAL"
	case StatusSangatTertinggal:
		return "SANGAT_TERTINGGAL"
	}
	return fmt.Sprintf("status(%d)", int8(s))
}

// ParseStatus reads a status as Kemendesa ("SANGAT TERTINGGAL") or the API
// ("SANGAT_TERTINGGAL") writes it, in any case.
func ParseStatus(s string) (Status, error) {
	norm := strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), "_"))
	for _, st := range Statuses {
		if norm == st.String() {
			return st, nil
		}
	}
	return 0, fmt.Errorf("unknown IDM status %q", s)
}

// DefaultIndex is the name of the index loaded from IDM files. Kemendesa's
// successor index from 2025 ("Indeks Desa") is stored under its own name.
const DefaultIndex = "IDM"

// Score is one desa's index for one year.
type Score struct {
	Index   string
	Year    int
	Village region.Code
	IKS     float64
	IKE     float64
	IKL     float64
	IDM     float64
	Status  Status
}

// MeanTolerance is how far the published IDM may lie from the mean of IKS,
// IKE and IKL: the files round every score to four decimals.
const MeanTolerance = 0.0005

// CheckScore refuses an index (IKS, IKE, IKL or IDM, named by name) that
// is not a number within 0..1.
func CheckScore(name string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 1 {
		return fmt.Errorf("%s %v is outside 0..1", name, v)
	}
	return nil
}

// Check reports the first inconsistency in a score: components outside 0..1,
// an IDM that is not the mean of its components, or a status that contradicts
// the thresholds. It never corrects anything.
func (s Score) Check() error {
	for _, c := range []struct {
		name string
		v    float64
	}{{"IKS", s.IKS}, {"IKE", s.IKE}, {"IKL", s.IKL}, {"IDM", s.IDM}} {
		if err := CheckScore(c.name, c.v); err != nil {
			return err
		}
	}
	if mean := (s.IKS + s.IKE + s.IKL) / 3; math.Abs(mean-s.IDM) > MeanTolerance {
		return fmt.Errorf("IDM %.4f is not the mean of IKS, IKE and IKL (%.4f)", s.IDM, mean)
	}
	if want := StatusForScore(s.IDM); want != s.Status {
		return fmt.Errorf("status %s contradicts IDM %.4f (thresholds give %s)", s.Status, s.IDM, want)
	}
	return nil
}

// StatusCount is the number of desa in one status.
type StatusCount struct {
	Status Status
	Count  int
}

// Distribution is the IDM picture of one region in one year.
type Distribution struct {
	Region   region.Code
	Year     int
	Total    int
	ByStatus []StatusCount // every status, in Statuses order, zeros included
	// Means are nil when the region has no scored desa.
	MeanIDM, MeanIKS, MeanIKE, MeanIKL *float64
}

// Transition counts desa that were in status From in one year and in To in a
// later year.
type Transition struct {
	From, To Status
	Count    int
}

// VillageYear is one year of a desa's IDM history.
type VillageYear = Score
