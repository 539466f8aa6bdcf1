/** Name of the demo's own TypeORM DataSource (read model and ledger), apart from the libraries'. */
export const DEMO_DATA_SOURCE = 'demo';
