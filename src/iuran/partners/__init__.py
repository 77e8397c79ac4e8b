"""Bank and PPOB partners that pay into family virtual accounts over SNAP: who they are (`registry`), their client
secrets encrypted at rest (`vault`), the access tokens issued to them (`tokens`) and the calls they made, by
external id (`calls`)."""
