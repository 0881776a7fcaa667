import { useState } from 'react';
import { currentTheme, saveTheme, type Theme } from './theme';

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="ghost"
      aria-pressed={theme === 'dark'}
      onClick={() => {
        saveTheme(next);
        setTheme(next);
      }}
    >
      Dark theme
    </button>
  );
}
