package chdbtest

import (
	"database/sql"
	"fmt"
	"reflect"

	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// rows walks the decoded blocks of a result; each column scans itself into
// the caller's values as clickhouse-go does, so both engines give the stores
// the same Go values.
type rows struct {
	blocks []*proto.Block
	block  int
	row    int
}

func (r *rows) Next() bool {
	r.row++
	for r.block < len(r.blocks) && r.row >= r.blocks[r.block].Rows() {
		r.block, r.row = r.block+1, 0
	}
	return r.block < len(r.blocks)
}

func (r *rows) current() (*proto.Block, error) {
	if r.block >= len(r.blocks) || r.row < 0 {
		return nil, sql.ErrNoRows
	}
	return r.blocks[r.block], nil
}

func (r *rows) Scan(dest ...any) error {
	b, err := r.current()
	if err != nil {
		return err
	}
	if len(dest) != len(b.Columns) {
		return fmt.Errorf("chdb: scan %d values into %d destinations", len(b.Columns), len(dest))
	}
	for i, col := range b.Columns {
		if err := col.ScanRow(dest[i], r.row); err != nil {
			return fmt.Errorf("chdb: scan column %s: %w", col.Name(), err)
		}
	}
	return nil
}

// ScanStruct follows clickhouse-go's rules: a field's `ch` tag names its
// column (else the field's name), "-" skips it, embedded structs lend their
// fields, and every column needs a field.
func (r *rows) ScanStruct(dest any) error {
	b, err := r.current()
	if err != nil {
		return err
	}
	v := reflect.ValueOf(dest)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("chdb: ScanStruct needs a pointer to a struct, not %T", dest)
	}
	fields := structFields(v.Elem().Type())
	for _, col := range b.Columns {
		idx, ok := fields[col.Name()]
		if !ok {
			return fmt.Errorf("chdb: missing destination name %q in %T", col.Name(), dest)
		}
		if err := col.ScanRow(v.Elem().FieldByIndex(idx).Addr().Interface(), r.row); err != nil {
			return fmt.Errorf("chdb: scan column %s: %w", col.Name(), err)
		}
	}
	return nil
}

func structFields(t reflect.Type) map[string][]int {
	fields := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Name
		if tag := f.Tag.Get("ch"); tag != "" {
			name = tag
		}
		switch {
		case name == "-" || !f.IsExported() && !f.Anonymous:
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			for k, idx := range structFields(f.Type) {
				fields[k] = append([]int{i}, idx...)
			}
		case !f.Anonymous:
			fields[name] = f.Index
		}
	}
	return fields
}

func (r *rows) Err() error   { return nil }
func (r *rows) Close() error { r.blocks = nil; return nil }
