import { Route, Routes } from "react-router";
import { DocumentPage } from "../features/documents/DocumentPage";
import { JobPage } from "../features/jobs/JobPage";
import { JobsPage } from "../features/jobs/JobsPage";
import { SearchPage } from "../features/search/SearchPage";
import { SettingsPage } from "../features/settings/SettingsPage";
import { UploadPage } from "../features/upload/UploadPage";
import { Layout } from "./Layout";
import { NotFound } from "./NotFound";

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<SearchPage />} />
        <Route path="documents/:id" element={<DocumentPage />} />
        <Route path="upload" element={<UploadPage />} />
        <Route path="jobs" element={<JobsPage />} />
        <Route path="jobs/:id" element={<JobPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
