/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app calls only same-origin `/api/documents/...` and `/api/ingest/...`, as behind
// CloudFront. Locally (`vite` and `vite preview`, started by scripts/dev.sh and
// scripts/test-frontend.sh) these paths are proxied unchanged to the services, which run
// with the same BASE_PATHs as behind the ALB.
const documents = process.env.CORPUS_DOCUMENTS_URL ?? "http://127.0.0.1:8081";
const ingest = process.env.CORPUS_INGEST_URL ?? "http://127.0.0.1:8082";
const proxy = {
  "/api/documents": { target: documents, changeOrigin: false },
  "/api/ingest": { target: ingest, changeOrigin: false },
};

export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port: 8080, strictPort: true, proxy },
  preview: { host: "127.0.0.1", port: 8080, strictPort: true, proxy },
  build: {
    // Hashed file names under assets/ (cached for a year at the edge); index.html is not
    // hashed and is served uncached (terraform/modules/static-site).
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
