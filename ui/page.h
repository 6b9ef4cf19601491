// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

namespace Console {

class AdminClient;

// One page of the console (Dashboard, Accounts, …). Pages load their data only while visible: the main window
// calls activate() when the page is shown and deactivate() when another one is, so hidden pages poll nothing.
// Text is set in retranslate(), which runs once from the constructor of each page and again on every language
// change.
class Page : public QWidget
{
    Q_OBJECT
public:
    explicit Page(AdminClient *client, QWidget *parent = nullptr);

    // Shown in the navigation list (translated).
    virtual QString title() const = 0;
    // An icon name from resources/icons (without .svg).
    virtual QString iconName() const = 0;

    // The page became visible: load data, start timers and streams.
    virtual void activate() {}
    // Another page is shown: stop timers and streams.
    virtual void deactivate() {}
    // The connection changed (another relay, a new session): drop what is shown and load again if active.
    virtual void reset() {}

    bool isActive() const { return m_active; }
    void setActive(bool active);

protected:
    void changeEvent(QEvent *event) override;
    virtual void retranslate() {}
    AdminClient *client() const { return m_client; }

private:
    AdminClient *m_client;
    bool m_active = false;
};

} // namespace Console
