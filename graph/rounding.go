package graph

import (
	"math"

	"github.com/shopspring/decimal"

	"github.com/sinergi-id/sinergi/graph/model"
)

// One rounding rule for every derived figure an answer (and so an export)
// carries, documented at the top of schema.graphql: IDM means and mean
// changes to 4 decimals, as Kemendesa publishes scores; shares (0..1) to 4
// decimals; rates per 100 desa to 2 decimals; money to the sen (Rupiah).
// Halves round away from zero. Scores are given as loaded.
//
// Each figure is rounded from whole numbers where it has them (counts, sums
// of 4-decimal scores), so that a figure falling exactly on a half rounds
// the same whichever order ClickHouse added its parts in.

// roundMean rounds the mean of n scores to 4 decimals. Scores carry 4
// decimals, so n × mean is a whole number of ten-thousandths: rounding it
// first recovers the exact sum, and the mean is rounded from that.
func roundMean(mean *float64, n int) *float64 {
	if mean == nil || n <= 0 {
		return mean
	}
	sum := math.Round(*mean * float64(n) * 1e4)
	r := math.Round(sum/float64(n)) / 1e4
	return &r
}

// shareOf is count / total to 4 decimals, nil when total is 0.
func shareOf(count, total int) *float64 {
	if total == 0 {
		return nil
	}
	s := math.Round(float64(count)*1e4/float64(total)) / 1e4
	return &s
}

// per100 is count per 100 of total to 2 decimals, 0 when total is 0.
func per100(count, total int) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(float64(count)*1e4/float64(total)) / 100
}

// rupiah is an amount from a Float64 sum, to the sen.
func rupiah(v float64) model.Rupiah { return model.RupiahFromFloat(v) }

// rupiahPer divides an amount among n, to the sen; 0 when n is 0.
func rupiahPer(v float64, n int) model.Rupiah {
	if n == 0 {
		return model.Rupiah{}
	}
	return model.RupiahOf(rupiah(v).DivRound(decimal.NewFromInt(int64(n)), 2))
}

// roundSen rounds a money value of a cooperationStats column to the sen,
// as Rupiah fields are.
func roundSen(v float64) float64 { return math.Round(v*100) / 100 }
