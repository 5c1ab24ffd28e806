-- Current problems: the latest reject of each input record that has not become an article since.
-- A record is its file plus its own id (JSON Lines `id`, WARC-Record-ID) or, where the reject has
-- none (a line that was not JSON, a whole file), its place in the file (`locator`).
-- Run with `duckdb -c ".read docs/queries/current-problems.sql"` where `warehouse/` is.
with rejects as (
    select r.*, coalesce(r.source_id, r.locator) as record, runs.finished_at
    from read_parquet('warehouse/current/rejects/*.parquet') r
    join read_parquet('warehouse/current/runs/*.parquet') runs using (run_id)
),
latest as (
    select * from rejects
    qualify row_number() over (partition by source, record order by finished_at desc) = 1
),
articles as (
    select source, source_id, locator, ingested_at from read_parquet('warehouse/current/articles/*.parquet')
)
select latest.source, latest.locator, latest.stage, latest.reason, latest.detail, latest.run_id
from latest
where not exists (
    select 1 from articles a
    where a.source = latest.source
      and (a.source_id = latest.source_id or (latest.source_id is null and a.locator = latest.locator))
      and a.ingested_at >= latest.finished_at
)
order by latest.source, latest.locator;
