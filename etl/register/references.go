package register

import (
	"fmt"
	"hash/maphash"
	"strings"
)

// The accepted agreements, by number, which parties and realisations
// refer to.

// agreementIndex holds the agreements a register accepted without their
// rows, which a national register has hundreds of thousands of: each is
// numbered (in the order the register first names them, from 0) and
// remembered by its id and the line it was read from, so that it can be
// read again when its record is stored, after its parties and
// realisations. It also knows the ids the table names without accepting
// them. It holds almost no pointers, for the garbage collector's sake.
type agreementIndex struct {
	// all holds every id the table names, once: the accepted ones first,
	// by number, then the others; id i ends at ends[i]. Rows referring to
	// an accepted agreement share its string, a part of all.
	all      string
	ends     []uint32
	accepted int
	// slots find an id by its hash: 1 + its index, 0 for a free slot.
	slots []uint32
	lines []int32  // by number: the line each was read from (increasing)
	sums  []uint64 // by number: a hash of that line's text
	seed  maphash.Seed
	table tableAt // where they were read
}

func newAgreementIndex() *agreementIndex { return &agreementIndex{seed: maphash.MakeSeed()} }

// build indexes ids, the accepted first.
func (idx *agreementIndex) build(ids []string, accepted int) {
	size := 0
	for _, id := range ids {
		size += len(id)
	}
	var all strings.Builder
	all.Grow(size)
	idx.ends = make([]uint32, len(ids))
	for i, id := range ids {
		all.WriteString(id)
		idx.ends[i] = uint32(all.Len())
	}
	idx.all, idx.accepted = all.String(), accepted
	n := 1
	for n < 2*len(ids) {
		n *= 2
	}
	idx.slots = make([]uint32, n)
	for i := range ids {
		j := idx.slot(idx.id(i))
		idx.slots[j] = uint32(i + 1)
	}
}

func (idx *agreementIndex) id(i int) string {
	start := uint32(0)
	if i > 0 {
		start = idx.ends[i-1]
	}
	return idx.all[start:idx.ends[i]]
}

// slot is where id is, or the free slot where it would go.
func (idx *agreementIndex) slot(id string) int {
	mask := len(idx.slots) - 1
	j := int(maphash.String(idx.seed, id)) & mask
	for idx.slots[j] != 0 && idx.id(int(idx.slots[j]-1)) != id {
		j = (j + 1) & mask
	}
	return j
}

// find is the index of id, and whether the table names it.
func (idx *agreementIndex) find(id string) (int, bool) {
	if len(idx.slots) == 0 {
		return 0, false
	}
	i := idx.slots[idx.slot(id)]
	return int(i) - 1, i != 0
}

// number is the number of the accepted agreement id, false if there is
// none.
func (idx *agreementIndex) number(id string) (int, bool) {
	i, named := idx.find(id)
	return i, named && i < idx.accepted
}

func (idx *agreementIndex) sum(row registerRow) uint64 { return maphash.String(idx.seed, row.raw) }

// agreementRef is agreementID for consecutive rows, which often name one
// agreement.
func (p *registerParser) agreementRef(r *registerTable, id string) (string, int, problem) {
	if id != "" && id == p.lastAgreement {
		return p.lastAgreementOwn, p.lastAgreementNumber, problem{}
	}
	own, n, ref := p.agreementID(r, id)
	if ref.reason == "" {
		p.lastAgreement, p.lastAgreementOwn, p.lastAgreementNumber = own, own, n
	}
	return own, n, ref
}

// agreementID checks id, the agreement_id of a row of r; an accepted id
// comes back as the agreement's own string, with its number. An empty or
// example id is a problem of the column; an agreement the register refused
// or lacks is one of the row (the reference, not the cell, is wrong).
func (p *registerParser) agreementID(r *registerTable, id string) (string, int, problem) {
	i, named := p.agreements.find(id)
	label := r.cols.Label("agreement_id")
	switch {
	case named && i < p.agreements.accepted:
		return p.agreements.id(i), i, problem{}
	case id == "":
		return "", -1, problem{label, "empty " + label}
	case templateExample("", id) != "":
		return id, -1, problem{label, templateExample(label, id)}
	case named:
		return id, -1, problem{"", fmt.Sprintf("agreement %s was rejected", id)}
	}
	return id, -1, problem{"", fmt.Sprintf("agreement %s is not in the register", id)}
}
