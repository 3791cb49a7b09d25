package cooperation

// ValueLists keeps many small lists of uint64 — one per agreement of a
// national register — in one slice without pointers, which the garbage
// collector need not follow. Each list is one stretch of the slice; it
// grows in place while values come one list after another (as a register's
// parties and realisations do) and moves to the end, with room to grow,
// otherwise, leaving its old stretch unused.
type ValueLists struct{ slab []uint64 }

// ValueList locates one list in a ValueLists. Its zero value is an empty
// list.
type ValueList struct{ at, n, room uint32 }

// Len is how many values the list holds.
func (l ValueList) Len() int { return int(l.n) }

// Values returns the list's values, to read or change in place (valid until
// the next Push).
func (v *ValueLists) Values(l *ValueList) []uint64 { return v.slab[l.at : l.at+l.n] }

// Push appends x to the list l.
func (v *ValueLists) Push(l *ValueList, x uint64) {
	if l.room == 0 {
		l.at = uint32(len(v.slab))
	}
	switch {
	case l.n < l.room:
		v.slab[l.at+l.n] = x
	case int(l.at+l.room) == len(v.slab):
		v.slab = append(v.slab, x)
		l.room++
	default:
		at, room := uint32(len(v.slab)), max(4, 2*l.n)
		v.slab = append(v.slab, v.slab[l.at:l.at+l.n]...)
		v.slab = append(v.slab, make([]uint64, room-l.n)...)
		v.slab[at+l.n] = x
		l.at, l.room = at, room
	}
	l.n++
}
