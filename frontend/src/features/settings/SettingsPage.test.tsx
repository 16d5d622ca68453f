import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { apiKey } from "../../api/client";
import { SettingsPage } from "./SettingsPage";

describe("Settings", () => {
  it("keeps the API key in session storage only, in a password field", async () => {
    render(
      <MemoryRouter>
        <SettingsPage />
      </MemoryRouter>,
    );
    const field = screen.getByLabelText("API key");
    expect(field).toHaveAttribute("type", "password");
    await userEvent.type(field, "  secret-key ");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(apiKey.get()).toBe("secret-key");
    expect(sessionStorage.getItem("corpus.apiKey")).toBe("secret-key");
    expect(localStorage.length).toBe(0);
    expect(window.location.href).not.toContain("secret-key");
    expect(screen.getByRole("status")).toHaveTextContent("Saved");
    await userEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(apiKey.get()).toBe("");
  });
});
