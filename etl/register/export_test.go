package register

// The helpers of the package's own tests that its load tests
// (package register_test, which runs the ETL) share.
var (
	KaltimRegions           = kaltimRegions
	RegisterWorkbookFromCSV = registerWorkbookFromCSV
	CheckRegisterRejects    = checkRegisterRejects
	CanonicalDecimals       = canonicalDecimals
)
