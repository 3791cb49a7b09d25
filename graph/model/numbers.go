package model

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"
)

// Numbers are written as JSON numbers in plain decimal notation, never in
// exponent form: 4150000000, not 4.15e+09. Charts, spreadsheets and
// notebooks read both, but people read the answers too, and some tools
// (Excel's JSON import, hand-written parsers) do not read exponents.

// MarshalPlainFloat writes a Float with the fewest digits that read back as
// the same number, without an exponent. NaN and infinities are refused (JSON
// has no such numbers).
func MarshalPlainFloat(f float64) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return errors.New("a Float cannot be NaN or infinite")
		}
		_, err := w.Write(strconv.AppendFloat(nil, f, 'f', -1, 64))
		return err
	})
}

// UnmarshalPlainFloat reads a Float argument as gqlgen's Float does.
func UnmarshalPlainFloat(_ context.Context, v any) (float64, error) {
	return graphql.UnmarshalFloat(v)
}

// Rupiah is an amount of money, exact to the sen (two decimals). It is
// written as a JSON number in plain notation: 4150000000, 1500000.5.
type Rupiah struct{ decimal.Decimal }

// RupiahOf rounds an exact amount to the sen.
func RupiahOf(d decimal.Decimal) Rupiah { return Rupiah{d.Round(2)} }

// RupiahFromFloat is the amount nearest to v, to the sen. Sums come from
// ClickHouse as Float64 converted from exact decimal sums: below about
// Rp 35 triliun (2^45) that conversion is within half a sen, so rounding
// recovers the exact amount.
func RupiahFromFloat(v float64) Rupiah { return Rupiah{decimal.NewFromFloat(v).Round(2)} }

// MarshalGQL writes the amount as a plain JSON number.
func (r Rupiah) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, r.Round(2).String()) }

// UnmarshalGQL reads an amount given as a number or as a decimal string.
func (r *Rupiah) UnmarshalGQL(v any) error {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case float64:
		r.Decimal = decimal.NewFromFloat(v).Round(2)
		return nil
	default:
		return fmt.Errorf("a Rupiah amount must be a number, not %T", v)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("%q is not an amount in rupiah", s)
	}
	r.Decimal = d.Round(2)
	return nil
}
