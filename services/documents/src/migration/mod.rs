//! Schema migrations. Each migration freezes the shape it creates (plain SQL, not the
//! entities), so later entity changes never rewrite history. Migrations are expand-only
//! between two releases: blue and green run against one schema during a deployment.
//! A migration that creates a table also grants the service roles what they need on it
//! (`m20261210_000001_service_roles`: there are no default privileges).

use sea_orm_migration::prelude::*;

/// `impl MigrationTrait for Migration` running the SQL `$up` on the way up and `$down` on
/// the way down (each migration is plain SQL; see above).
macro_rules! sql_migration {
    ($up:expr, $down:expr) => {
        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                manager.get_connection().execute_unprepared($up).await?;
                Ok(())
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                manager.get_connection().execute_unprepared($down).await?;
                Ok(())
            }
        }
    };
}

mod m20261123_000001_create_documents;
mod m20261202_000001_filter_indexes;
mod m20261210_000001_service_roles;
mod m20261220_000001_search_terms;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_documents::Migration),
            Box::new(m20261202_000001_filter_indexes::Migration),
            Box::new(m20261210_000001_service_roles::Migration),
            Box::new(m20261220_000001_search_terms::Migration),
        ]
    }
}
