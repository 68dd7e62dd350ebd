/// The runtime's periodic jobs and when each is next due. One place decides what runs when.
public struct Schedule: Sendable {
    /// A periodic job of the runtime.
    public enum Job: CaseIterable, Sendable {
        /// Look at the store: new rows to send up, a new catalogue, enrolments, verify's questions.
        case pollStore
        /// Rewrite this node's status part if it changed.
        case status
        /// Open cases past their deadline become exception records.
        case sweep
        /// Write the link records `sanji status` reads.
        case links
        /// Check that the store's files are still the ones opened.
        case files
        /// Bring the monthly rollups up to date.
        case rollups
        /// Write the metrics file (`serve --metrics-file`), if there is one.
        case metrics
    }

    private var due: [Job: Int64] = [:]
    private let intervals: [Job: Int64]

    /// A schedule starting at `now`, with the intervals of `options`.
    public init(options: RuntimeOptions, now: Int64) {
        intervals = [.pollStore: options.pollMs, .status: options.statusCheckMs, .sweep: options.sweepMs, .links: options.linksMs,
                     .files: options.filesMs, .rollups: options.rollupMs, .metrics: options.metricsMs]
        // Everything runs at once on start, except the rollups (serve's first minutes are for linking up).
        for job in Job.allCases { due[job] = job == .rollups ? now + options.rollupMs : now }
    }

    /// The jobs due at `now`, in declaration order; each is due again one interval later.
    public mutating func jobs(at now: Int64) -> [Job] {
        Job.allCases.filter { job in
            guard now >= due[job]! else { return false }
            due[job] = now + intervals[job]!
            return true
        }
    }
}
