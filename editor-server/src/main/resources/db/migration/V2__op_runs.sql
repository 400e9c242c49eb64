-- The history as runs: one row per document per commit instead of one row per operation.
--
-- Why: H2 rewrites every page a commit dirties. With a row per operation, a commit that
-- carries a few operations of each of 200 documents dirtied, per document, a leaf of the
-- (doc_id, version) key and a leaf of the (doc_id, client_id, seq) key: the commit cost
-- grew with the documents it touched (~170 ms for 200 documents x 5 operations). A run is
-- one row per document, and the submission key becomes one small row per client.

-- Operations [first_version, end_version) of a document, as a JSON array with one object
-- per version in order: {"op": <ot-text-unicode op>, "client": "...", "seq": n,
-- "user": "..." or null, "ts": epoch-ms}. The primary key is the serialisation point with
-- the documents head: two commits at one base cannot both insert their run.
CREATE TABLE op_runs (
    doc_id        VARCHAR NOT NULL,
    first_version BIGINT  NOT NULL,
    end_version   BIGINT  NOT NULL,
    ops           CLOB    NOT NULL,
    CONSTRAINT op_runs_pk PRIMARY KEY (doc_id, first_version),
    CONSTRAINT op_runs_not_empty CHECK (end_version > first_version)
);

-- Each client's last committed submission on a document (its seq and version), and the
-- version of its first, which bounds the search for an older one. Submissions of a client
-- are numbered upwards, so a seq at or below the last is a repeat.
CREATE TABLE client_seqs (
    doc_id        VARCHAR NOT NULL,
    client_id     VARCHAR NOT NULL,
    first_version BIGINT  NOT NULL,
    seq           BIGINT  NOT NULL,
    version       BIGINT  NOT NULL,
    CONSTRAINT client_seqs_pk PRIMARY KEY (doc_id, client_id)
);

INSERT INTO op_runs (doc_id, first_version, end_version, ops)
SELECT doc_id, version, version + 1,
       CAST(JSON_ARRAY(JSON_OBJECT('op': CAST(op AS VARCHAR) FORMAT JSON, 'client': client_id, 'seq': seq,
                                   'user': user_id, 'ts': ts)) AS VARCHAR)
  FROM ops;

INSERT INTO client_seqs (doc_id, client_id, first_version, seq, version)
SELECT doc_id, client_id, MIN(version), MAX(seq), MAX(version)
  FROM ops
 GROUP BY doc_id, client_id;

DROP TABLE ops;
