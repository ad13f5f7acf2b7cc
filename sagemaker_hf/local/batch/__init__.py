"""Local transform jobs: CreateTransformJob run on this machine, as SageMaker runs one.

- ``jobs``          the job's record and the client's Create/Describe/Stop/List calls
- ``runner``        the job's thread: objects in, records to the model server, outputs in order
- ``model_server``  the job's toolkit process, started like an endpoint and asked over HTTP
- ``objects``       input objects and their records, output objects written whole
- ``records``       how a record is split, joined and filtered (SplitType, JSONPath, JoinSource)
- ``pool``          the requests in flight, up to ``MaxConcurrentTransforms``
- ``report``        progress, and which records an interrupted job completed
"""
