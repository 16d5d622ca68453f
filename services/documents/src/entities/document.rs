use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `s3://bucket/key` or `api`.
    pub source: String,
    /// Hex SHA-256 of the text; unique together with `source`.
    pub checksum: String,
    pub title: String,
    pub content_type: String,
    pub byte_size: i64,
    pub passage_count: i32,
    pub job_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::passage::Entity")]
    Passage,
}

impl Related<super::passage::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Passage.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
