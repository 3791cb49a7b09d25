// Package model holds the GraphQL types. Those with fields resolved lazily
// (parent regions, children, histories) are written here and carry the keys
// their resolvers need; the rest are generated into models_gen.go.
package model

// Region is a region of the Kemendagri hierarchy. Parent and children are
// resolved on demand from ParentCode and Code.
type Region struct {
	Code           string `json:"code"`
	CodeFlat       string `json:"codeFlat"`
	Name           string `json:"name"`
	Level          RegionLevel
	Kind           RegionKind
	DesaCount      int `json:"desaCount"`
	KelurahanCount int `json:"kelurahanCount"`
	ParentCode     string
}

// ID is the region's identity for client caches: its dotted code.
func (r *Region) ID() string { return r.Code }

// Village is a desa or kelurahan; its chain and IDM history are resolved on
// demand.
type Village struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   RegionKind
	Region *Region
}

// ID is the village's identity for client caches: its dotted code.
func (v *Village) ID() string { return v.Code }

// IdmDistribution is one region's IDM picture in one year; the region is
// resolved on demand (batched) from RegionCode.
type IdmDistribution struct {
	ID         string `json:"id"`
	Index      string `json:"index"`
	RegionCode string
	Year       int
	Total      int
	ByStatus   []*IdmStatusCount
	MeanIdm    *float64
	MeanIks    *float64
	MeanIke    *float64
	MeanIkl    *float64
}
