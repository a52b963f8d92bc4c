import S3Store
import Testing

/// How a file is cut into the parts of a multipart upload.
@Suite struct PartPlanTests {
    @Test func partsCoverTheFileInOrderTheLastHoldingTheRest() {
        let plan = PartPlan(size: 12, partSize: 5)
        #expect(plan.count == 3)
        #expect(plan.ranges == [0..<5, 5..<10, 10..<12])
        #expect(plan.range(ofPart: 2) == 10..<12)
    }

    @Test func anExactMultipleHasNoShortPartAndAnEmptyFileNoPart() {
        #expect(PartPlan(size: 10, partSize: 5).ranges == [0..<5, 5..<10])
        #expect(PartPlan(size: 0, partSize: 5).count == 0)
        #expect(PartPlan(size: 1, partSize: 5).ranges == [0..<1])
    }

    @Test func s3AllowsPartSizesWithinItsLimitsAndAtMostTenThousandParts() {
        let mib: Int64 = 1 << 20
        #expect(PartPlan(size: 100 * mib, partSize: 8 * mib).isAllowed)
        #expect(!PartPlan(size: 100 * mib, partSize: 4 * mib).isAllowed, "below 5 MiB")
        #expect(!PartPlan(size: 100 * mib, partSize: 6 * 1024 * mib).isAllowed, "above 5 GiB")
        #expect(PartPlan(size: 10_000 * 5 * mib, partSize: 5 * mib).isAllowed)
        #expect(!PartPlan(size: 10_000 * 5 * mib + 1, partSize: 5 * mib).isAllowed, "10001 parts")
    }
}
