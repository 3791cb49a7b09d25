package model

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

func TestNumbersArePlain(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{4.15e9, "4150000000"}, {0.6911, "0.6911"}, {1e-5, "0.00001"}, {12, "12"}, {-0.25, "-0.25"}, {1e21, "1000000000000000000000"},
	} {
		var b bytes.Buffer
		if err := MarshalPlainFloat(c.in).MarshalGQLContext(context.Background(), &b); err != nil || b.String() != c.want {
			t.Errorf("Float %v: %q, %v; want %q", c.in, b.String(), err, c.want)
		}
	}
	var b bytes.Buffer
	if err := MarshalPlainFloat(math.NaN()).MarshalGQLContext(context.Background(), &b); err == nil {
		t.Errorf("NaN written as %q, want an error", b.String())
	}

	for _, c := range []struct {
		in   Rupiah
		want string
	}{
		{RupiahFromFloat(4.15e9), "4150000000"},
		{RupiahFromFloat(1500000.5), "1500000.5"},
		{RupiahFromFloat(12345678901234.56), "12345678901234.56"}, // Rp 12 triliun, to the sen
		{RupiahFromFloat(0.1 + 0.2), "0.3"},                       // a float sum's noise is rounded away
		{RupiahOf(decimal.RequireFromString("999999999999999.99")), "999999999999999.99"},
		{RupiahFromFloat(1783.590963), "1783.59"},
	} {
		var b bytes.Buffer
		c.in.MarshalGQL(&b)
		if b.String() != c.want {
			t.Errorf("Rupiah %v: %q, want %q", c.in, b.String(), c.want)
		}
	}
}
