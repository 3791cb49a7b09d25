package regionch

import (
	"slices"

	"github.com/sinergi-id/sinergi/internal/clickhouse"
	"github.com/sinergi-id/sinergi/internal/region"
)

// KeyIn is the condition selecting the given regions in a table
// ordered by (level, parent_code, codeColumn), and its values: naming the
// codes' levels and parents as well lets ClickHouse read only the granules
// that hold them. codeColumn is a name from the caller's code.
func KeyIn(codeColumn string, codes []region.Code) (string, []any) {
	levels, parents := region.LevelsAndParents(codes)
	levelList, levelArgs := clickhouse.InList(levels)
	parentList, parentArgs := clickhouse.InList(parents)
	codeList, codeArgs := clickhouse.InList(codes)
	return "level IN " + levelList + " AND parent_code IN " + parentList + " AND " + codeColumn + " IN " + codeList,
		slices.Concat(levelArgs, parentArgs, codeArgs)
}
